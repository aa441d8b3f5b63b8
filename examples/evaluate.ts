// Run protocol S (next movie, leave-one-out, full ranking) with the RNN beside two baselines, through the same
// Evaluator code path. With REELREC_DATA pointing at ML-100k this reproduces the README's figures (slowly);
// without it, a small synthetic catalog keeps the example quick.
import {
  createRecommender,
  Evaluator,
  generateSyntheticCatalog,
  ItemKnnBaseline,
  loadMovieLens,
  PopularityBaseline,
  resultToMarkdown,
} from 'reelrec';

const dir = process.env.REELREC_DATA;
const data = dir ? await loadMovieLens(dir) : generateSyntheticCatalog({ users: 250, movies: 300, seed: 5 });

const result = await new Evaluator({ k: 10, seed: 42 }).run('S', data, [
  { name: 'lstm', kind: 'model', create: () => createRecommender({ training: { epochs: dir ? 20 : 4 } }) },
  { name: 'popularity', kind: 'baseline', create: () => new PopularityBaseline() },
  { name: 'item-knn', kind: 'baseline', create: () => new ItemKnnBaseline() },
]);
console.log(resultToMarkdown(result));
