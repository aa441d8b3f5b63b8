// tfjs-node downloads a native TensorFlow build at install time, so it is not a dev dependency here; reelrec
// only imports it (when asked for the 'tensorflow' backend) for its side effect of registering the backend.
declare module '@tensorflow/tfjs-node';
