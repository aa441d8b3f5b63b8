/**
 * `reelrec tune`: hyperparameter search on a validation split of an evaluation protocol (the protocol's test part
 * is never used), resumable through a state file.
 *
 * @module
 */
// The CLI uses the public API only (the build resolves '../index' to the library bundle).
import {
  ConfigError,
  loadMovieLens,
  loadOfficialFolds,
  PROTOCOL_NAMES,
  type ProtocolName,
  SEARCH_STRATEGIES,
  type SearchBudget,
  type SearchSpace,
  type SearchStrategy,
  type TrialRecord,
  tuneRecommender,
} from '../index';
import {
  type CommandResult,
  dataDirectory,
  type ModelFlags,
  PROTOCOL_SETTINGS,
  recommenderOptions,
} from './commands';
import type { Progress } from './progress';

/** Flags of `reelrec tune`. */
export interface TuneFlags extends ModelFlags {
  data?: string;
  protocol?: string;
  strategy?: string;
  trials?: number;
  seconds?: number;
  space?: string;
  metric?: string;
  k?: number;
  users?: number;
  eta?: number;
  configs?: number;
  state?: string;
  lenient?: boolean;
}

/**
 * The space searched when `--space` is not given (24 configurations). A hyperparameter fixed by a flag
 * (`--hidden`) is left out of it.
 */
export const DEFAULT_TUNE_SPACE: SearchSpace = {
  'training.learningRate': [0.0005, 0.001, 0.002, 0.005],
  'model.hiddenSize': [32, 64, 128],
  'model.dropout': [0, 0.2],
};

/** Trials of a random or successive-halving search when neither `--trials` nor `--seconds` is given. */
const DEFAULT_TRIALS = 8;

function parseSpace(text: string | undefined, flags: TuneFlags): SearchSpace {
  if (text === undefined) {
    const space: Record<string, SearchSpace[string]> = { ...DEFAULT_TUNE_SPACE };
    if (flags.hidden) delete space['model.hiddenSize'];
    return space;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(
      '--space',
      'a JSON object of hyperparameter domains, e.g. {"learningRate":{"min":0.0003,"max":0.01,"log":true},"hiddenSize":[32,64]}',
      text,
    );
  }
  return parsed as SearchSpace;
}

function describeConfig(config: TrialRecord['config']): string {
  return Object.entries(config)
    .map(([k, v]) => `${k.replace(/^(model|training)\./, '')} ${v}`)
    .join(', ');
}

function formatMetric(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : '—';
}

/** `reelrec tune`: searches hyperparameters and reports the leaderboard and the best options. */
export async function tuneCommand(flags: TuneFlags, progress: Progress): Promise<CommandResult> {
  const protocol = (flags.protocol ?? 'S').toUpperCase() as ProtocolName;
  if (!PROTOCOL_NAMES.includes(protocol)) {
    throw new ConfigError('--protocol', `one of ${PROTOCOL_NAMES.join(', ')}`, flags.protocol);
  }
  const strategy = (flags.strategy ?? 'random') as SearchStrategy;
  if (!SEARCH_STRATEGIES.includes(strategy)) {
    throw new ConfigError('--strategy', `one of ${SEARCH_STRATEGIES.join(', ')}`, flags.strategy);
  }
  const space = parseSpace(flags.space, flags);
  const budget: SearchBudget = {};
  if (flags.trials) budget.trials = flags.trials;
  if (flags.seconds) budget.seconds = flags.seconds;
  if (strategy !== 'grid' && budget.trials === undefined && budget.seconds === undefined) {
    budget.trials = DEFAULT_TRIALS;
  }
  const dir = dataDirectory(flags.data, true)!;
  const data = await loadMovieLens(dir, { mode: flags.lenient ? 'lenient' : 'strict' });
  const folds = protocol === 'R' || protocol === 'C' ? await loadOfficialFolds(dir) : undefined;
  const seed = flags.seed ?? 42;

  // Ctrl-C stops the running trial and reports what finished; the state file keeps it for a resume.
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  let current = 'trial 1';
  try {
    const result = await tuneRecommender(data, {
      protocol,
      strategy,
      space,
      budget,
      seed,
      base: recommenderOptions(flags, PROTOCOL_SETTINGS[protocol]),
      metric: flags.metric,
      k: flags.k,
      folds,
      users: flags.users,
      halving: { eta: flags.eta, configs: flags.configs },
      statePath: flags.state,
      signal: controller.signal,
      fitOptions: {
        onBatchEnd: ({ epoch, batch, batches, loss }) => {
          const label = `${current} epoch ${epoch}`;
          if (batch === 1) progress.start(label, batches);
          progress.update(batch, `loss ${loss.toFixed(3)}`);
        },
      },
      onTrial: (t, { completed, planned }) => {
        progress.stop();
        progress.note(
          `trial ${t.trial + 1}${planned ? `/${planned}` : ''} (${completed} done): ${describeConfig(t.config)}, ${t.epochs} epochs → ${t.status === 'ok' ? formatMetric(t.metric) : `${t.status}: ${t.error}`} (${t.seconds.toFixed(1)} s)`,
        );
        current = `trial ${completed + 1}`;
      },
    });
    progress.stop();
    const bestOptions = result.bestOptions
      ? {
          seed: result.bestOptions.seed,
          model: result.bestOptions.model,
          training: result.bestOptions.training,
        }
      : null;
    const json = {
      dataset: data.name,
      protocol,
      strategy,
      metric: result.metric,
      direction: result.direction,
      seed,
      budget,
      stopped: result.stopped,
      resumed: result.resumed,
      seconds: result.seconds,
      best: result.best,
      bestOptions,
      leaderboard: result.leaderboard,
      state: flags.state ?? null,
    };
    const rows = result.leaderboard
      .slice(0, 10)
      .map(
        (t, i) =>
          `${String(i + 1).padStart(3)}. ${formatMetric(t.metric)}  ${t.epochs} epochs  ${t.status.padEnd(7)} ${describeConfig(t.config)}`,
      );
    const text = [
      `tuned on ${data.name}, protocol ${protocol} validation split, ${strategy} search: ${result.trials.length} trials (${result.resumed} resumed) in ${result.seconds.toFixed(1)} s, stopped: ${result.stopped}`,
      `${result.metric} (${result.direction} is better), best first:`,
      ...rows,
      bestOptions
        ? `best options: ${JSON.stringify({ model: bestOptions.model, training: bestOptions.training })}`
        : 'no trial succeeded',
      flags.state ? `state: ${flags.state} (run the same command again to continue)` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return { json, text };
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
