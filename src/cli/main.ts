/**
 * The `reelrec` command line. Every command takes `--json` and then prints exactly one JSON document on stdout;
 * progress goes to stderr, and only when stderr is a terminal.
 *
 * @module
 */
import { Command, InvalidArgumentError } from 'commander';
import { ReelrecError, VERSION } from '../index';
import {
  type CommandResult,
  demoCommand,
  evaluateCommand,
  infoCommand,
  newMoviesCommand,
  recommendCommand,
  trainCommand,
} from './commands';
import { createProgress } from './progress';
import { tuneCommand } from './tune';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, found "${value}"`);
  return n;
}

function positive(value: string): number {
  const n = integer(value);
  if (n < 1) throw new InvalidArgumentError(`expected an integer ≥ 1, found "${value}"`);
  return n;
}

async function run(json: boolean, action: () => Promise<CommandResult>): Promise<void> {
  try {
    const result = await action();
    process.stdout.write(json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof ReelrecError ? err.code : 'INTERNAL';
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    process.stderr.write(`reelrec: ${message}\n`);
    if (!(err instanceof ReelrecError) && err instanceof Error && err.stack)
      process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof ReelrecError ? 1 : 2;
  }
}

function modelOptions(cmd: Command): Command {
  return cmd
    .option('--cell <name>', 'recurrent cell: lstm, gru or rnn (the sigmoid recurrence)')
    .option('--epochs <n>', 'maximum training epochs', positive)
    .option('--hidden <n>', 'hidden units', positive)
    .option('--seed <n>', 'seed of every random choice', integer)
    .option('--backend <names>', 'tfjs backend or comma-separated priority list (cpu, wasm, tensorflow)')
    .option(
      '--options <json>',
      'recommender options as a JSON object, over the defaults and the flags, e.g. \'{"features":false}\'',
    );
}

const program = new Command()
  .name('reelrec')
  .description('Movie recommendation with recurrent neural networks on TensorFlow.js')
  .version(VERSION)
  .showHelpAfterError();

modelOptions(
  program
    .command('demo')
    .description(
      'train on a synthetic catalog (or --data DIR) and print recommendations and protocol S metrics',
    )
    .option('--data <dir>', 'a MovieLens directory instead of the synthetic catalog')
    .option('--users <n>', 'evaluate at most this many users (seeded sample)', positive)
    .option('--k <n>', 'list length', positive)
    .option('--json', 'print one JSON document'),
).action(async (flags) => run(flags.json, () => demoCommand(flags, createProgress())));

program
  .command('info')
  .description('counts, rating histogram and load report of a MovieLens directory')
  .option('--data <dir>', 'MovieLens directory (default: $REELREC_DATA)')
  .option('--lenient', 'skip and count bad lines instead of stopping at the first')
  .option('--json', 'print one JSON document')
  .action(async (flags) => run(flags.json, () => infoCommand(flags)));

modelOptions(
  program
    .command('train')
    .description('train on a MovieLens directory and save the model folder')
    .option('--data <dir>', 'MovieLens directory (default: $REELREC_DATA)')
    .requiredOption('--out <dir>', 'model folder to write (replaced atomically)')
    .option('--lenient', 'skip and count bad lines instead of stopping at the first')
    .option('--json', 'print one JSON document'),
).action(async (flags) => run(flags.json, () => trainCommand(flags, createProgress())));

program
  .command('recommend')
  .description('top-K movies for a user of a saved model')
  .requiredOption('--model <dir>', 'model folder written by `reelrec train`')
  .requiredOption('--user <id>', 'user id', integer)
  .option('--k <n>', 'list length', positive)
  .option('--backend <names>', 'tfjs backend or comma-separated priority list')
  .option('--json', 'print one JSON document')
  .action(async (flags) => run(flags.json, () => recommendCommand(flags)));

modelOptions(
  program
    .command('evaluate')
    .description('run an evaluation protocol of PROTOCOL.md (R, C, T, S or K) with the RNN and baselines')
    .option('--data <dir>', 'MovieLens directory (default: $REELREC_DATA)')
    .requiredOption('--protocol <name>', 'R, C, T, S or K')
    .option('--k <n>', 'cutoff K of the ranking metrics', positive)
    .option('--users <n>', 'evaluate at most this many users (seeded sample)', positive)
    .option('--no-baselines', 'run the RNN only')
    .option(
      '--resamples <n>',
      'bootstrap resamples of the confidence intervals (0: none; default 1000)',
      integer,
    )
    .option('--html <file>', 'also write a self-contained HTML report (tables, charts, training curves)')
    .option('--lenient', 'skip and count bad lines instead of stopping at the first')
    .option('--json', 'print one JSON document'),
).action(async (flags) => run(flags.json, () => evaluateCommand(flags, createProgress())));

modelOptions(
  program
    .command('new-movies')
    .description(
      'new-movie cold start: hold out every rating of a seeded sample of movies, train, and rank them for the users who rated them',
    )
    .option('--data <dir>', 'MovieLens directory (default: $REELREC_DATA)')
    .option('--share <x>', 'share of the eligible movies held out (default 0.05)', Number)
    .option('--min-ratings <n>', 'movies with at least this many ratings are eligible (default 20)', positive)
    .option('--k <n>', 'cutoff K of the ranking metrics', positive)
    .option('--no-baselines', 'run the RNN only')
    .option('--lenient', 'skip and count bad lines instead of stopping at the first')
    .option('--json', 'print one JSON document'),
).action(async (flags) => run(flags.json, () => newMoviesCommand(flags, createProgress())));

modelOptions(
  program
    .command('tune')
    .description(
      'search hyperparameters on a validation split of a protocol (its test part is never used); resumable with --state',
    )
    .option('--data <dir>', 'MovieLens directory (default: $REELREC_DATA)')
    .option('--protocol <name>', 'R, C, T, S or K (default S)')
    .option('--strategy <name>', 'grid, random or successive-halving (default random)')
    .option('--trials <n>', 'most trials to run (random and successive-halving default 8)', positive)
    .option('--seconds <n>', 'time budget: no trial starts after it, the running one is stopped', positive)
    .option(
      '--space <json>',
      'hyperparameter domains as JSON, e.g. \'{"learningRate":{"min":0.0003,"max":0.01,"log":true},"hiddenSize":[32,64]}\' (default: learning rate, hidden size, dropout)',
    )
    .option('--metric <key>', 'metric to optimise (default NDCG@K; RMSE for R, F1 for C)')
    .option('--k <n>', 'cutoff K of the ranking metrics', positive)
    .option('--users <n>', 'evaluate at most this many validation users per trial (seeded sample)', positive)
    .option('--eta <n>', 'successive halving: keep the best 1/eta per rung (default 3)', positive)
    .option('--configs <n>', 'successive halving: configurations of the first rung', positive)
    .option('--state <file>', 'JSON state file: written after each trial; an existing one is resumed')
    .option('--lenient', 'skip and count bad lines instead of stopping at the first')
    .option('--json', 'print one JSON document'),
).action(async (flags) => run(flags.json, () => tuneCommand(flags, createProgress())));

await program.parseAsync(process.argv);
