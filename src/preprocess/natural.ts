/**
 * Lazy loaders for the optional peer dependency `natural`.
 *
 * `natural`'s index (`import 'natural'`) loads every part of the package, including its storage back-ends,
 * which `require` mongoose, pg, redis and memjs and run `dotenv.config()` at load time (reading `.env` into
 * `process.env` and printing a banner): about 1,270 modules and close to a second with natural 8.1. reelrec
 * never loads the index. Each loader below imports one deep file by a literal dynamic `import()` (so bundlers
 * can split it off, and it costs nothing until text processing asks for it); the Porter stemmer file pulls in
 * 5 small pure-JS files and no Node-only module, so it also works in a browser bundle.
 *
 * natural has no `exports` map, so these deep paths resolve from ESM (with the `.js` extension written out,
 * as here) and from CJS. If the package is missing (or a future version closes its deep paths) the loader
 * throws a {@link DependencyError} naming `natural`, with the original error as `cause`.
 *
 * @module
 */
import { DependencyError } from '../errors';
import type { Stemmer, Tokenizer } from './tokenizer';

const NEEDED_FOR = "text features (stemming, natural's tokenizers and stop words)";

/** The CJS module's `module.exports`, whichever way the runtime or bundler wrapped it. */
function cjsExports<T>(mod: unknown, probe: (value: unknown) => value is T, what: string): T {
  const candidates = [mod, (mod as { default?: unknown } | null)?.default];
  for (const c of candidates) if (probe(c)) return c;
  throw new DependencyError('natural', NEEDED_FOR, {
    cause: new TypeError(`natural's ${what} module does not have the expected shape`),
  });
}

function hasStem(value: unknown): value is { stem(token: string): string } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { stem?: unknown }).stem === 'function'
  );
}

function isConstructor(value: unknown): value is new () => { tokenize(text: string): string[] } {
  return typeof value === 'function';
}

function hasWords(value: unknown): value is { words: string[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { words?: unknown }).words);
}

/**
 * Loads the Porter stemmer of the optional package `natural` (deep import of its `porter_stemmer` file only).
 * natural's Porter stemmer lower-cases its input and leaves words of fewer than 3 characters unchanged.
 *
 * @throws {DependencyError} when `natural` is not installed.
 *
 * @example
 * ```ts
 * import { loadNaturalStemmer, Preprocessor } from 'reelrec';
 * const porter = await loadNaturalStemmer();
 * console.log(porter.stem('running'), porter.stem('generalization')); // 'run' 'gener'
 * const pre = new Preprocessor({ stemmer: porter });
 * ```
 */
export async function loadNaturalStemmer(): Promise<Stemmer> {
  let mod: unknown;
  try {
    mod = await import('natural/lib/natural/stemmers/porter_stemmer.js');
  } catch (err) {
    throw new DependencyError('natural', NEEDED_FOR, { cause: err });
  }
  const porter = cjsExports(mod, hasStem, 'Porter stemmer');
  return { name: 'porter', stem: (word: string) => porter.stem(word) };
}

/**
 * Loads natural's `AggressiveTokenizer` (deep import), wrapped to lower-case its tokens. Beware: it keeps only
 * ASCII letters, digits, `'`, `-` and `/`, so accented words are cut (`'misérables'` → `'mis'`, `'rables'`);
 * the built-in {@link UnicodeTokenizer} is the better default for movie titles and plots.
 *
 * @throws {DependencyError} when `natural` is not installed.
 *
 * @example
 * ```ts
 * import { loadNaturalTokenizer, Preprocessor } from 'reelrec';
 * const pre = new Preprocessor({ tokenizer: await loadNaturalTokenizer() });
 * console.log(pre.analyze('Toy Story')); // ['toy', 'story']
 * ```
 */
export async function loadNaturalTokenizer(): Promise<Tokenizer> {
  let mod: unknown;
  try {
    mod = await import('natural/lib/natural/tokenizers/aggressive_tokenizer.js');
  } catch (err) {
    throw new DependencyError('natural', NEEDED_FOR, { cause: err });
  }
  const Aggressive = cjsExports(mod, isConstructor, 'aggressive tokenizer');
  const inner = new Aggressive();
  return {
    name: 'natural-aggressive',
    tokenize: (text: string) =>
      typeof text === 'string' && text.length > 0
        ? inner.tokenize(text.toLowerCase()).filter((t) => t.length > 0)
        : [],
  };
}

/**
 * Loads natural's English stop-word list (deep import; a copy, so changing it does not change natural's).
 * It also lists every single letter and digit and `_`, `$`.
 *
 * @throws {DependencyError} when `natural` is not installed.
 *
 * @example
 * ```ts
 * import { loadNaturalStopWords, Preprocessor } from 'reelrec';
 * const pre = new Preprocessor({ stopWords: await loadNaturalStopWords() });
 * ```
 */
export async function loadNaturalStopWords(): Promise<string[]> {
  let mod: unknown;
  try {
    mod = await import('natural/lib/natural/util/stopwords.js');
  } catch (err) {
    throw new DependencyError('natural', NEEDED_FOR, { cause: err });
  }
  return [...cjsExports(mod, hasWords, 'stop-word').words];
}
