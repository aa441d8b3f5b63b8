// A minimal gated unit (Zhou et al., 2016) written as a tfjs-layers recurrent cell, for examples/custom-cell.ts:
//   f_t = σ(W_f x_t + U_f h_{t−1} + b_f)
//   h̃_t = tanh(W_h x_t + U_h (f_t ⊙ h_{t−1}) + b_h)
//   h_t = (1 − f_t) ⊙ h_{t−1} + f_t ⊙ h̃_t
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { CellOptions } from 'reelrec';

export class MinimalGatedCell extends tfl.layers.RNNCell {
  // The name tfjs stores in the saved topology; registerCell registers the class under it.
  static className = 'MinimalGatedCell';
  readonly units: number;
  private kernel!: tfl.LayerVariable;
  private recurrentKernel!: tfl.LayerVariable;
  private bias!: tfl.LayerVariable;

  constructor(args: CellOptions) {
    super({ name: args.name });
    this.units = args.units;
  }

  get stateSize(): number {
    return this.units;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const inputDim = shape[shape.length - 1] as number;
    const glorot = tfl.initializers.glorotUniform({});
    // Weight names reelrec recognises get its seeded initial values: kernel, recurrent_kernel, bias.
    this.kernel = this.addWeight('kernel', [inputDim, 2 * this.units], 'float32', glorot);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, 2 * this.units],
      'float32',
      glorot,
    );
    this.bias = this.addWeight('bias', [2 * this.units], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const [x, hPrev] = inputs as [tf.Tensor2D, tf.Tensor2D];
      const u = this.units;
      const xw = tf.add(tf.matMul(x, this.kernel.read() as tf.Tensor2D), this.bias.read());
      const [xf, xh] = tf.split(xw, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const [uf, uh] = tf.split(this.recurrentKernel.read() as tf.Tensor2D, [u, u], 1) as [
        tf.Tensor2D,
        tf.Tensor2D,
      ];
      const f = tf.sigmoid(tf.add(xf, tf.matMul(hPrev, uf)));
      const candidate = tf.tanh(tf.add(xh, tf.matMul(tf.mul(f, hPrev), uh)));
      const h = tf.add(tf.mul(tf.sub(1, f), hPrev), tf.mul(f, candidate));
      return [h, h];
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
