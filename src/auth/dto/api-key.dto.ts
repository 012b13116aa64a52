import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ROLES, type Role } from '../domain/roles';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ci-pipeline', description: 'Principal name recorded as actor and author' })
  @IsString() @Length(1, 64) @Matches(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, { message: 'name must be letters, digits, . _ @ -' })
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 500)
  reason?: string;
}

export class RevokeApiKeyQueryDto {
  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(1, 500)
  reason?: string;
}
