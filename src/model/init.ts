/**
 * Seeded weight initialisers. tfjs-layers draws initial weights from an unseeded generator; reelrec overwrites
 * every weight it knows with values drawn from the run's seed, so the same seed gives the same model.
 *
 * @module
 */
import type { Rng } from '../util/random';

/** Glorot (Xavier) uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)). */
export function glorotUniform(rows: number, cols: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.next() - 1) * limit;
  return out;
}

/** Uniform U(−limit, limit). */
export function uniform(size: number, limit: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * limit;
  return out;
}

/**
 * A `rows × cols` matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols): the Q factor of a
 * Gaussian matrix by modified Gram–Schmidt, as Saxe et al. recommend for recurrent kernels.
 */
export function orthogonal(rows: number, cols: number, rng: Rng): Float32Array {
  const n = Math.max(rows, cols); // vector length
  const k = Math.min(rows, cols); // number of orthonormal vectors
  const q: Float64Array[] = [];
  for (let v = 0; v < k; v++) {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += x[i]! * u[i]!;
        for (let i = 0; i < n; i++) x[i]! -= dot * u[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += x[i]! * x[i]!;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < n; i++) x[i]! /= norm;
    q.push(x);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows ≤ cols: row r is vector r; otherwise column c is vector c.
      out[r * cols + c] = rows <= cols ? q[r]![c]! : q[c]![r]!;
    }
  }
  return out;
}
