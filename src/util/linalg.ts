/**
 * The small dense linear algebra the baselines and content cold start need: solving and inverting symmetric positive-definite systems.
 *
 * @module
 */
import { StateError } from '../errors';

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

/**
 * Overwrites a symmetric positive-definite `n`×`n` matrix `A` (row-major; only the lower triangle is read)
 * with its inverse, in three row-oriented passes that each read memory contiguously and need no second
 * matrix: the Cholesky factor L (A = L Lᵀ, Cholesky–Banachiewicz), then W = L⁻¹ row by row, then
 * A⁻¹ = Wᵀ W row by row, each row written over the row it no longer needs. About n³/2 multiply-adds.
 *
 * @throws {StateError} when a pivot is not positive (the matrix is not positive definite).
 * @example
 * ```ts
 * import { invertSpdInPlace } from './linalg';
 * const A = new Float64Array([4, 2, 2, 3]);
 * invertSpdInPlace(A, 2); // A = [0.375, -0.25, -0.25, 0.5]
 * ```
 */
export function invertSpdInPlace(A: Float64Array, n: number): void {
  // 1. Cholesky, row by row: L[i][j] = (A[i][j] − L[i][0..j)·L[j][0..j)) / L[j][j].
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = A[ri + j]! - dot(A, ri, rj, j);
      if (j < i) A[ri + j] = s / A[rj + j]!;
      else {
        if (!(s > 0)) throw new StateError(`matrix not positive definite (pivot ${s} at row ${i})`);
        A[ri + i] = Math.sqrt(s);
      }
    }
  }
  // 2. W = L⁻¹, row by row: W[i] = (e_i − Σ_{k<i} L[i][k]·W[k]) / L[i][i]; W[k] is zero past column k.
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    row.fill(0, 0, i + 1);
    row[i] = 1;
    for (let k = 0; k < i; k++) {
      const l = A[ri + k]!;
      if (l === 0) continue;
      axpy(row, -l, A, k * n, k + 1);
    }
    const d = A[ri + i]!;
    for (let c = 0; c <= i; c++) A[ri + c] = row[c]! / d;
  }
  // 3. A⁻¹[a][0..a] = Σ_{i≥a} W[i][a]·W[i][0..a]; row a of W is not needed by later rows, so it is replaced.
  for (let a = 0; a < n; a++) {
    row.fill(0, 0, a + 1);
    for (let i = a; i < n; i++) {
      const w = A[i * n + a]!;
      if (w !== 0) axpy(row, w, A, i * n, a + 1);
    }
    const ra = a * n;
    for (let c = 0; c <= a; c++) A[ra + c] = row[c]!;
  }
  for (let a = 0; a < n; a++) for (let c = 0; c < a; c++) A[c * n + a] = A[a * n + c]!;
}

/** Σ_{k<len} A[a + k]·A[b + k], four accumulators (about a quarter faster than one in V8). */
function dot(A: Float64Array, a: number, b: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += A[a + k]! * A[b + k]!;
    s1 += A[a + k + 1]! * A[b + k + 1]!;
    s2 += A[a + k + 2]! * A[b + k + 2]!;
    s3 += A[a + k + 3]! * A[b + k + 3]!;
  }
  for (; k < len; k++) s0 += A[a + k]! * A[b + k]!;
  return s0 + s1 + (s2 + s3);
}

/** y[0..len) += alpha·A[from .. from + len), unrolled by four. */
function axpy(y: Float64Array, alpha: number, A: Float64Array, from: number, len: number): void {
  let c = 0;
  for (; c + 3 < len; c += 4) {
    y[c]! += alpha * A[from + c]!;
    y[c + 1]! += alpha * A[from + c + 1]!;
    y[c + 2]! += alpha * A[from + c + 2]!;
    y[c + 3]! += alpha * A[from + c + 3]!;
  }
  for (; c < len; c++) y[c]! += alpha * A[from + c]!;
}
