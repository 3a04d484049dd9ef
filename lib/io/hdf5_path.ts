// HDF5 loss paths name a dataset inside the file: `runs.h5:/sweep/seed1/losses`.

/** `file.h5:/group/dataset` split into the file and the dataset path; no dataset part gives undefined. */
export function splitHdf5Path(spec: string): { file: string; dataset: string | undefined } {
  const m = /^(.*\.(?:h5|hdf5)):(\/.*)$/i.exec(spec);
  return m ? { file: m[1]!, dataset: m[2]! } : { file: spec, dataset: undefined };
}
