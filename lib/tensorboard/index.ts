// TensorBoard scalars: every public name of lib/tensorboard.
export { EventFileWriter, scalarWindowsOfFile, TENSORBOARD_FILE_NAMES, TENSORBOARD_TAGS, writeTensorboardScalars, type ScalarWindow } from './scalars.js';
export { frameRecord, maskedCrc32c } from './tfrecord.js';
