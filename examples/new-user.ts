// Recommending to someone the model has never seen: a few ratings, or only demographics.
import { createRecommender, generateSyntheticCatalog } from 'reelrec';

const data = generateSyntheticCatalog({ users: 200, movies: 300, seed: 11 });
const rec = await createRecommender({ training: { epochs: 3 } });
await rec.fit(data);

const [a, b, c] = data.movies;
const fewRatings = await rec.recommend({
  items: [
    { movieId: a!.id, rating: 5, timestamp: 893_000_000 },
    { movieId: b!.id, rating: 4, timestamp: 893_000_100 },
    { movieId: c!.id, rating: 1, timestamp: 893_000_200 },
  ],
});
console.log('after three ratings:', fewRatings.map((r) => r.title).join('; '));

const demographicsOnly = await rec.recommend({
  items: [],
  user: { age: 24, gender: 'F', occupation: 'student' },
});
console.log('demographics only:', demographicsOnly.map((r) => r.title).join('; '));
rec.dispose();
