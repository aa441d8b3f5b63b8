/**
 * The small dense linear algebra the baselines need: solving a symmetric positive-definite system.
 *
 * @module
 */

/**
 * Solves A x = b for a symmetric positive-definite `n`×`n` matrix `A` (row-major) by Cholesky factorisation.
 * `A` is overwritten by its factor; the solution is returned in a new array. A pivot that is not positive
 * (a matrix that is not positive definite) is replaced by a tiny positive value instead of failing, so a
 * ridge system always gets an answer.
 *
 * @example
 * ```ts
 * import { solveSpd } from './linalg';
 * // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0]
 * solveSpd(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1]), 2);
 * ```
 */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  // Cholesky: A = L Lᵀ, L stored in the lower triangle of A.
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! * A[j * n + k]!;
    const ljj = Math.sqrt(Math.max(d, 1e-12));
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = s / ljj;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * n + k]! * y[k]!;
    y[i] = s / A[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= A[k * n + i]! * x[k]!;
    x[i] = s / A[i * n + i]!;
  }
  return x;
}
