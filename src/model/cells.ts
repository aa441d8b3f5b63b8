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
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';

/** Options handed to a cell factory. */
export interface CellOptions {
  /** Hidden units (the size of h_t). */
  units: number;
  /** Gate activation of LSTM / GRU cells. Default `'sigmoid'`. */
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  /** Fraction of the input x_t dropped in training (one mask per sequence). Default 0. */
  dropout?: number;
  /** Fraction of the state h_{t−1} dropped in training (one mask per sequence). Default 0. */
  recurrentDropout?: number;
  /**
   * Dropout with reelrec's seeded generator, `(ones, rate) => mask`. Pass it on to the tfjs-layers cell (its
   * `dropoutFunc` argument) so the masks follow the run's seed.
   */
  dropoutFunc?: (ones: tf.Tensor, rate: number) => tf.Tensor;
  /** Layer name, unique within a model. */
  name?: string;
}

/**
 * A tfjs-layers recurrent cell (an instance of `tf.layers.RNNCell`): it knows its `stateSize` and maps
 * `[input, ...states]` to `[output, ...newStates]`.
 */
export type Cell = InstanceType<typeof tfl.layers.RNNCell>;

/** Builds a cell from options. */
export type CellFactory = (options: CellOptions) => Cell;

/** A cell class: constructed with {@link CellOptions} (plus any layer arguments), with a static `className`. */
export type CellClass = (new (
  options: CellOptions,
) => Cell) & {
  /** The name saved in the model topology; the class registers under it with `tf.serialization`. */
  className: string;
};

interface Entry {
  /** What was registered (a factory or a class), to tell "the same again" from "a different one". */
  source: CellFactory | CellClass;
  create: CellFactory;
}

const registry = new Map<string, Entry>();

const BUILT_IN: Record<string, CellFactory> = {
  rnn: ({ units, name, dropout, recurrentDropout, dropoutFunc }) =>
    tfl.layers.simpleRNNCell({
      units,
      activation: 'sigmoid',
      recurrentInitializer: 'glorotUniform',
      dropout,
      recurrentDropout,
      dropoutFunc,
      name,
    }),
  lstm: ({ units, recurrentActivation = 'sigmoid', name, dropout, recurrentDropout, dropoutFunc }) =>
    tfl.layers.lstmCell({
      units,
      recurrentActivation,
      recurrentInitializer: 'glorotUniform',
      // reelrec sets the forget-gate bias itself: tfjs-layers' unitForgetBias initialiser leaks 4 tensors a build.
      unitForgetBias: false,
      dropout,
      recurrentDropout,
      dropoutFunc,
      name,
    }),
  gru: ({ units, recurrentActivation = 'sigmoid', name, dropout, recurrentDropout, dropoutFunc }) =>
    tfl.layers.gruCell({
      units,
      recurrentActivation,
      recurrentInitializer: 'glorotUniform',
      dropout,
      recurrentDropout,
      dropoutFunc,
      name,
    }),
};
for (const [name, create] of Object.entries(BUILT_IN)) registry.set(name, { source: create, create });

function isCellClass(value: CellFactory | CellClass): value is CellClass {
  // A cell class without a className is still a class (calling it as a factory would throw a TypeError).
  return (
    typeof value === 'function' &&
    (typeof (value as { className?: unknown }).className === 'string' ||
      value.prototype instanceof tfl.layers.RNNCell)
  );
}

/**
 * Registers a cell type under `name`, so `createRecommender({ model: { cell: name } })` can use it. Pass a
 * factory or a cell class; either way the cell's class is registered with `tf.serialization`, so saved models
 * that use it load again (call `registerCell` before `loadRecommender` in a new process). Registering the same
 * factory or class again is a no-op; a different one under a taken name throws.
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { registerCell } from 'reelrec';
 * registerCell('tanh-rnn', ({ units, name }) => tfl.layers.simpleRNNCell({ units, activation: 'tanh', name }));
 * ```
 */
export function registerCell(name: string, cell: CellFactory | CellClass): void {
  if (typeof name !== 'string' || !/^[A-Za-z][\w-]*$/.test(name)) {
    throw new ConfigError('cell name', 'a name of letters, digits, "-" and "_" starting with a letter', name);
  }
  if (typeof cell !== 'function') throw new ConfigError('cell', 'a cell factory or a cell class', cell);
  const existing = registry.get(name);
  if (existing?.source === cell) return;
  if (existing) {
    throw new ConfigError(
      'cell name',
      `a name not yet registered (taken: ${[...registry.keys()].join(', ')})`,
      name,
    );
  }
  const create: CellFactory = isCellClass(cell) ? (options) => new cell(options) : cell;
  // A probe (no weights are built, no tensor made) tells the class to register for deserialisation.
  const probe = create({ units: 1, name: `reelrec_probe_${name}` });
  const cls =
    probe.constructor as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>;
  // Its own className: one inherited (e.g. 'LSTMCell') would re-register the built-in's name to this class.
  if (
    typeof (cls as unknown as { className?: unknown }).className !== 'string' ||
    !Object.hasOwn(cls, 'className')
  ) {
    throw new ConfigError(
      'cell',
      `a cell whose class declares its own static className (for saving); ${name}'s does not`,
      cls.name,
    );
  }
  const holder = tf.serialization.SerializationMap.getMap().classNameMap[cls.className]?.[0];
  if (holder && holder !== cls) {
    throw new ConfigError(
      'cell',
      `a className that no other class is registered under (not ${cls.className})`,
      cls.name,
    );
  }
  tf.serialization.registerClass(cls);
  registry.set(name, { source: cell, create });
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
  const entry = registry.get(name);
  if (!entry) throw new ConfigError('model.cell', `one of ${registeredCells().join(', ')}`, name);
  return entry.create(options);
}
