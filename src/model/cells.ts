/**
 * Recurrent cells and the cell registry. A cell follows the tfjs-layers contract (`RNNCell`: it knows its
 * `stateSize` and maps `[input, ...states]` to `[output, ...newStates]`); the RNN layer owns the time loop.
 *
 * Built in:
 * - `'rnn'`: the product's recurrence exactly, `h_t = σ(W_xh x_t + W_hh h_{t−1} + b_h)` (a tfjs-layers
 *   `SimpleRNNCell` with the logistic sigmoid as its activation);
 * - `'lstm'` and `'gru'`: the textbook cells with logistic-sigmoid gates. tfjs-layers defaults the gates to
 *   `hardSigmoid` (a piecewise-linear approximation kept for Keras 1 compatibility); reelrec uses the exact
 *   sigmoid by default because it is the cell the literature describes and its gradient never vanishes to 0
 *   outside [−2.5, 2.5]. `recurrentActivation: 'hardSigmoid'` restores the tfjs default.
 *
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';

/** Options handed to a cell factory. */
export interface CellOptions {
  /** Hidden units (the size of h_t). */
  units: number;
  /** Gate activation of LSTM / GRU cells. Default `'sigmoid'`. */
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  /** Layer name, unique within a model. */
  name?: string;
}

/**
 * A tfjs-layers recurrent cell: a layer with a `stateSize` (tfjs-layers does not export its `RNNCell` class,
 * so the type is structural).
 */
export type Cell = ReturnType<typeof tfl.layers.simpleRNNCell> | ReturnType<typeof tfl.layers.lstmCell>;

/** Builds a cell from options. */
export type CellFactory = (options: CellOptions) => Cell;

const registry = new Map<string, CellFactory>();

const BUILT_IN: Record<string, CellFactory> = {
  rnn: ({ units, name }) =>
    tfl.layers.simpleRNNCell({ units, activation: 'sigmoid', recurrentInitializer: 'glorotUniform', name }),
  lstm: ({ units, recurrentActivation = 'sigmoid', name }) =>
    tfl.layers.lstmCell({
      units,
      recurrentActivation,
      recurrentInitializer: 'glorotUniform',
      unitForgetBias: false,
      name,
    }),
  gru: ({ units, recurrentActivation = 'sigmoid', name }) =>
    tfl.layers.gruCell({ units, recurrentActivation, recurrentInitializer: 'glorotUniform', name }),
};
for (const [name, factory] of Object.entries(BUILT_IN)) registry.set(name, factory);

/**
 * Registers a cell type under `name`, so `createRecommender({ model: { cell: name } })` can use it.
 * Registering the same factory again is a no-op; a different factory under a taken name throws.
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { registerCell } from 'reelrec';
 * registerCell('tanh-rnn', ({ units, name }) => tfl.layers.simpleRNNCell({ units, activation: 'tanh', name }));
 * ```
 */
export function registerCell(name: string, factory: CellFactory): void {
  if (typeof name !== 'string' || !/^[A-Za-z][\w-]*$/.test(name)) {
    throw new ConfigError('cell name', 'a name of letters, digits, "-" and "_" starting with a letter', name);
  }
  const existing = registry.get(name);
  if (existing === factory) return;
  if (existing) {
    throw new ConfigError(
      'cell name',
      `a name not yet registered (taken: ${[...registry.keys()].join(', ')})`,
      name,
    );
  }
  registry.set(name, factory);
}

/**
 * The names of every registered cell, built-in ones first.
 *
 * @example
 * ```ts
 * import { registeredCells } from 'reelrec';
 * console.log(registeredCells()); // ['rnn', 'lstm', 'gru', …]
 * ```
 */
export function registeredCells(): string[] {
  return [...registry.keys()];
}

/**
 * Creates a cell by registered name; an unknown name's error lists the registered ones.
 *
 * @example
 * ```ts
 * import { createCell } from 'reelrec';
 * const cell = createCell('gru', { units: 32 });
 * ```
 */
export function createCell(name: string, options: CellOptions): Cell {
  const factory = registry.get(name);
  if (!factory) throw new ConfigError('model.cell', `one of ${registeredCells().join(', ')}`, name);
  return factory(options);
}
