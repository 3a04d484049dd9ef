// Readers and writers: loss files in, results out.
export { analyzeFile, type AnalyzeFileOptions, type FileAnalysis, type InputInfo } from './analyze_file.js';
export { writeFileAtomic } from './atomic_write.js';
export {
  LOSS_READERS,
  RESULT_WRITERS,
  resolveLossPath,
  resultWriterFor,
  type LossReader,
  type OpenedLossFile,
  type ResolvedLossPath,
  type ResultWriter,
} from './format_registry.js';
export { compareFileIndicators, readGroupMeanLosses, summarizeFile, type SummarizeFileOptions } from './file_summary.js';
export { toLossMatrix, type LossArray, type LossFormat } from './loss_array.js';
export { findSidecar, readGroupsFile, readMetaJson, type LossMeta } from './meta.js';
export { decodeNpy, encodeNpy, readNpy, readNpyHeader, type NpyArray, type NpyInput } from './npy.js';
export type { NpyDtype, NpyHeader } from './npy_header.js';
export { decodeNpz, encodeNpz, readNpz, type NpzArrays } from './npz.js';
export { LOSS_FILE_EXTENSIONS, lossFormatOf, openLossRows, readLossFile, type LossFile, type ReadLossFileOptions } from './read_loss_file.js';
export { jsonChunks } from './json_chunks.js';
export { resultCsv, resultCsvLines, writeResultCsv } from './result_csv.js';
export { resultDocument, resultJson, resultJsonChunks, writeResultJson, type ResultDocument, type ResultSource } from './result_json.js';
export { resultNpz, writeResultNpz } from './result_npz.js';
export type { RowSource } from './row_source.js';
export { sensitivityCsv, sensitivityJson, writeSensitivityTable } from './sensitivity_file.js';
export { encodeRowStreamHeader, encodeRowStreamRecord, openRowStreamRows, parseRowStreamHeader, type RowStreamHeader } from './row_stream.js';
export { RowStreamWriter, type RowStreamWriterOptions } from './row_stream_writer.js';
export { resultFormatOf, writeResult, type ResultFormat } from './write_result.js';
export { RESULT_METADATA_KEY } from './result_table.js';
