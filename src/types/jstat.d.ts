/** The part of jStat 1.9 that promptflag uses (the package ships no types). */
declare module 'jstat' {
  interface Continuous1 {
    cdf(x: number, dof: number): number;
    inv(p: number, dof: number): number;
  }
  interface Normal {
    cdf(x: number, mean: number, std: number): number;
    inv(p: number, mean: number, std: number): number;
  }
  export const jStat: {
    normal: Normal;
    chisquare: Continuous1;
  };
}
