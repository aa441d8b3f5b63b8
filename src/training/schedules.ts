/**
 * Learning-rate schedules: constant, step decay and cosine annealing, each with an optional linear warm-up. A
 * schedule is a pure function of the global step, so a run is reproducible and the tests compute it by hand.
 *
 * @module
 */
import { ConfigError } from '../errors';

/** The schedules {@link learningRateSchedule} knows. */
export type ScheduleName = 'constant' | 'step' | 'cosine';

/**
 * Every {@link ScheduleName}.
 *
 * @example
 * ```ts
 * import { SCHEDULE_NAMES } from 'reelrec';
 * console.log(SCHEDULE_NAMES.join(', ')); // constant, step, cosine
 * ```
 */
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['constant', 'step', 'cosine'];

/** How the learning rate moves during training. */
export interface ScheduleConfig {
  /**
   * `'constant'` (default): the base rate throughout; `'step'`: multiplied by `stepFactor` every `stepEvery`
   * epochs; `'cosine'`: from the base rate down to `cosineFloor × base` along half a cosine over the planned
   * steps (epochs × batches per epoch) after the warm-up.
   */
  name: ScheduleName;
  /**
   * Linear warm-up (0: none, the default). An integer ≥ 1 is a number of steps; a number in (0, 1) is a fraction
   * of the planned steps (rounded, at least 1). During warm-up, step `s` (0-based) uses `(s + 1) / W` of the
   * rate the schedule would give.
   */
  warmup: number;
  /** `'step'`: epochs between decays. Default 5. */
  stepEvery: number;
  /** `'step'`: factor applied at each decay, in (0, 1]. Default 0.5. */
  stepFactor: number;
  /** `'cosine'`: the final rate as a fraction of the base rate, in [0, 1]. Default 0. */
  cosineFloor: number;
}

/**
 * Defaults of {@link ScheduleConfig}.
 *
 * @example
 * ```ts
 * import { SCHEDULE_DEFAULTS } from 'reelrec';
 * console.log(SCHEDULE_DEFAULTS.name, SCHEDULE_DEFAULTS.stepEvery, SCHEDULE_DEFAULTS.stepFactor); // constant 5 0.5
 * ```
 */
export const SCHEDULE_DEFAULTS: Readonly<ScheduleConfig> = {
  name: 'constant',
  warmup: 0,
  stepEvery: 5,
  stepFactor: 0.5,
  cosineFloor: 0,
};

/** The length of the run a schedule plans for. */
export interface SchedulePlan {
  /** Planned epochs. */
  epochs: number;
  /** Optimizer steps (batches) per epoch. */
  stepsPerEpoch: number;
}

/**
 * Checks a schedule's settings; a bad value throws {@link ConfigError} naming `prefix.field`.
 *
 * @example
 * ```ts
 * import { checkSchedule } from 'reelrec';
 * checkSchedule({ name: 'cosine', warmup: 0.05 }); // fine
 * checkSchedule({ name: 'step', stepFactor: 2 }); // throws ConfigError: training.stepFactor …
 * ```
 */
export function checkSchedule(config: Partial<ScheduleConfig>, prefix = 'training'): ScheduleConfig {
  const c: ScheduleConfig = { ...SCHEDULE_DEFAULTS, ...config };
  if (!SCHEDULE_NAMES.includes(c.name)) {
    throw new ConfigError(`${prefix}.schedule`, `one of ${SCHEDULE_NAMES.join(', ')}`, c.name);
  }
  const w = c.warmup;
  if (!(w >= 0 && Number.isFinite(w) && (w < 1 || Number.isInteger(w)))) {
    throw new ConfigError(
      `${prefix}.warmup`,
      '0, an integer number of steps ≥ 1, or a fraction of the planned steps in (0, 1)',
      w,
    );
  }
  if (!(Number.isInteger(c.stepEvery) && c.stepEvery >= 1)) {
    throw new ConfigError(`${prefix}.stepEvery`, 'an integer ≥ 1', c.stepEvery);
  }
  if (!(c.stepFactor > 0 && c.stepFactor <= 1)) {
    throw new ConfigError(`${prefix}.stepFactor`, 'a number in (0, 1]', c.stepFactor);
  }
  if (!(c.cosineFloor >= 0 && c.cosineFloor <= 1)) {
    throw new ConfigError(`${prefix}.cosineFloor`, 'a number in [0, 1]', c.cosineFloor);
  }
  return c;
}

/**
 * The learning rate at each optimizer step (0-based, counted over the whole run) of a schedule:
 *
 * - warm-up steps `W` = `warmup` (steps), or `max(1, round(warmup × epochs × stepsPerEpoch))` for a fraction;
 * - the scheduled rate at step `s` in epoch `e = ⌊s / stepsPerEpoch⌋ + 1`:
 *   constant `base`; step `base · stepFactor^⌊(e − 1) / stepEvery⌋`; cosine
 *   `base · (f + (1 − f) · (1 + cos(π · p)) / 2)` with `f = cosineFloor` and
 *   `p = max(0, s − W) / max(1, T − W)`, `T` the planned steps;
 * - during warm-up (`s < W`) the scheduled rate times `(s + 1) / W`.
 *
 * Steps past the plan (never taken by the trainer) keep the last rate's formula, clamped at the floor.
 *
 * @example
 * ```ts
 * import { learningRateSchedule } from 'reelrec';
 * const rateAt = learningRateSchedule(0.01, { name: 'cosine', warmup: 2 }, { epochs: 2, stepsPerEpoch: 5 });
 * console.log(rateAt(0), rateAt(1), rateAt(9)); // 0.005 0.01 ≈0.00038
 * ```
 */
export function learningRateSchedule(
  base: number,
  config: Partial<ScheduleConfig>,
  plan: SchedulePlan,
): (step: number) => number {
  const c = checkSchedule(config);
  if (!(base > 0 && Number.isFinite(base)))
    throw new ConfigError('training.learningRate', 'a positive number', base);
  const perEpoch = Math.max(1, plan.stepsPerEpoch);
  const total = Math.max(1, plan.epochs * perEpoch);
  const warm = c.warmup >= 1 ? c.warmup : c.warmup > 0 ? Math.max(1, Math.round(c.warmup * total)) : 0;
  return (step: number): number => {
    let rate: number;
    switch (c.name) {
      case 'step': {
        const epoch = Math.floor(step / perEpoch) + 1;
        rate = base * c.stepFactor ** Math.floor((epoch - 1) / c.stepEvery);
        break;
      }
      case 'cosine': {
        const p = Math.min(1, Math.max(0, step - warm) / Math.max(1, total - warm));
        rate = base * (c.cosineFloor + ((1 - c.cosineFloor) * (1 + Math.cos(Math.PI * p))) / 2);
        break;
      }
      default:
        rate = base;
    }
    return step < warm ? (rate * (step + 1)) / warm : rate;
  };
}
