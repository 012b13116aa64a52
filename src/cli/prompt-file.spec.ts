import { formatIssue, githubAnnotation, lintPromptFile, parsePromptFile } from './prompt-file';

const GOOD = `---
slug: support-triage
model: gpt-4o-2024-08-06
rationale: Shorter persona
evalHash: abc123
variables:
  - name: company
    required: true
  - name: ticket
    required: true
    description: The customer message
---
You triage support tickets for {{company}}.
Classify: {{ticket}}
`;

describe('parsePromptFile', () => {
  it('turns front matter and body into a draft', () => {
    const parsed = parsePromptFile(GOOD);
    expect(parsed.problems).toEqual([]);
    expect(parsed.slug).toBe('support-triage');
    expect(parsed.draft).toEqual({
      template: 'You triage support tickets for {{company}}.\nClassify: {{ticket}}',
      variables: [
        { name: 'company', required: true },
        { name: 'ticket', required: true, description: 'The customer message' },
      ],
      modelHint: 'gpt-4o-2024-08-06',
      rationale: 'Shorter persona',
      evalHash: 'abc123',
    });
    expect(parsed.bodyLine).toBe(13);
    expect(parsed.bodyColumn).toBe(1);
  });

  it('accepts variables given as plain names and no evalHash', () => {
    const parsed = parsePromptFile('---\nslug: greet\nmodel: gpt-4o-2024-08-06\nrationale: r\nvariables: [name]\n---\nHi {{name}}\n');
    expect(parsed.draft).toEqual({ template: 'Hi {{name}}', variables: [{ name: 'name' }], modelHint: 'gpt-4o-2024-08-06', rationale: 'r' });
  });

  it('reports missing fields at their place', () => {
    const parsed = parsePromptFile('---\nslug: Bad Slug\nvariables: 3\n---\nHi\n');
    expect(parsed.draft).toBeUndefined();
    expect(parsed.problems.map((p) => [p.code, p.line])).toEqual([
      ['FRONT_MATTER_INVALID', 2],
      ['FRONT_MATTER_INVALID', 1],
      ['FRONT_MATTER_INVALID', 1],
      ['FRONT_MATTER_INVALID', 3],
    ]);
  });

  it('reports a file without front matter, and YAML that does not parse', () => {
    expect(parsePromptFile('just text').problems[0]).toMatchObject({ code: 'FRONT_MATTER_MISSING', line: 1 });
    expect(parsePromptFile('---\nslug: a\nmodel: [unclosed\n---\nx').problems[0]).toMatchObject({ code: 'FRONT_MATTER_INVALID', line: 4 });
  });
});

describe('lintPromptFile', () => {
  it('finds nothing wrong in a good file', () => {
    expect(lintPromptFile(GOOD).issues).toEqual([]);
  });

  it('places template errors in the file, and declaration errors on the declaration', () => {
    const text = GOOD.replace('Classify: {{ticket}}', 'Classify: {{tickets}}');
    const { issues } = lintPromptFile(text);
    expect(issues.map((i) => [i.code, i.line, i.column])).toEqual([
      ['REQUIRED_VARIABLE_UNUSED', 9, 1],
      ['UNDECLARED_VARIABLE', 14, 11],
    ]);
    expect(formatIssue('p.prompt.md', issues[1])).toMatch(/^p\.prompt\.md:14:11 error UNDECLARED_VARIABLE Placeholder "\{\{tickets\}\}"/);
  });

  it('writes GitHub Actions annotations with escaped properties', () => {
    const issue = { severity: 'error' as const, code: 'X', message: 'a\nb', line: 3, column: 4 };
    expect(githubAnnotation('dir,a:b.md', issue)).toBe('::error file=dir%2Ca%3Ab.md,line=3,col=4,title=X::a%0Ab');
  });
});
