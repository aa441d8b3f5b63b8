/**
 * Types for the few files of the optional `natural` package that reelrec loads by deep path (see
 * `natural.ts`). Deep paths skip natural's index, which loads database drivers at start-up; natural ships no
 * types for these files, so their shape is declared here.
 */

declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}

declare module 'natural/lib/natural/tokenizers/aggressive_tokenizer.js' {
  class AggressiveTokenizer {
    tokenize(text: string): string[];
  }
  export default AggressiveTokenizer;
}

declare module 'natural/lib/natural/util/stopwords.js' {
  export const words: string[];
}
