// analyze(data, rows, cols, options, badRows?, eigenvectorsInto?) -> Promise<result>
// analyzeSync(...) -> result
// eigenvectorsInto: a Float32Array the library owns that receives the eigenvectors from
// element options.intoOffset on (the result's own eigenvectors are then empty).
// Arguments arrive validated from lib/analyze.ts; here we re-check only what
// protects memory (lengths, strides, array types).
#include <napi.h>

#include <string>

#include "../core/isa.hpp"
#include "../core/sliding_analysis.hpp"
#include "enum_names.hpp"
#include "native_errors.hpp"
#include "typed_arrays.hpp"

namespace rdm2addon {
namespace {

struct Request {
  rdm2::InputMatrix input;
  rdm2::AnalysisOptions options;
  float* eigenvectorsInto = nullptr;
};

Request parseRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsObject())
    throw Napi::TypeError::New(env, "analyze(data, rows, cols, options[, badRows]): bad arguments");
  Request req;
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  int64_t length = static_cast<int64_t>(ta.ElementLength());
  if (ta.TypedArrayType() == napi_float32_array) {
    req.input.dtype = rdm2::DType::F32;
    req.input.data = ta.As<Napi::Float32Array>().Data();
  } else if (ta.TypedArrayType() == napi_float64_array) {
    req.input.dtype = rdm2::DType::F64;
    req.input.data = ta.As<Napi::Float64Array>().Data();
  } else {
    throw Napi::TypeError::New(env, "data must be a Float32Array or Float64Array");
  }
  req.input.rows = info[1].As<Napi::Number>().Int64Value();
  req.input.cols = info[2].As<Napi::Number>().Int64Value();
  Napi::Object o = info[3].As<Napi::Object>();
  req.input.rowStride = intOption(o, "rowStride", req.input.cols);
  req.input.colStride = intOption(o, "colStride", 1);
  const int64_t T = req.input.rows, n = req.input.cols;
  if (T < 1 || n < 1 || req.input.rowStride < 0 || req.input.colStride < 0)
    throw Napi::RangeError::New(env, "rows, cols and strides must be positive");
  const int64_t lastIndex = (T - 1) * req.input.rowStride + (n - 1) * req.input.colStride;
  if (lastIndex >= length) throw Napi::RangeError::New(env, "data is shorter than rows x cols");
  if (info.Length() > 4 && !info[4].IsUndefined() && !info[4].IsNull()) {
    if (!info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw Napi::TypeError::New(env, "badRows must be a Uint8Array");
    Napi::Uint8Array bad = info[4].As<Napi::Uint8Array>();
    if (static_cast<int64_t>(bad.ElementLength()) < T) throw Napi::RangeError::New(env, "badRows is shorter than rows");
    req.input.badRows = bad.Data();
  }
  auto& opts = req.options;
  if (info.Length() > 5 && !info[5].IsUndefined() && !info[5].IsNull()) {
    if (!info[5].IsTypedArray() || info[5].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, "eigenvectorsInto must be a Float32Array");
    Napi::Float32Array into = info[5].As<Napi::Float32Array>();
    const int64_t offset = intOption(o, "intoOffset", 0);
    const int64_t W = intOption(o, "window", 0), s = intOption(o, "stride", 1), k = intOption(o, "topK", 0);
    const int64_t windows = W >= 2 && s >= 1 && T >= W ? (T - W) / s + 1 : 0;
    if (offset < 0 || offset + windows * k * n > static_cast<int64_t>(into.ElementLength()))
      throw Napi::RangeError::New(env, "eigenvectorsInto is too short");
    req.eigenvectorsInto = into.Data() + offset;
  }
  opts.spectrum.window = intOption(o, "window", 0);
  opts.spectrum.topK = intOption(o, "topK", 0);
  opts.spectrum.beta = numberOption(o, "beta", 1.0);
  opts.spectrum.detrend = enumOption(o, "detrend", kDetrendNames);
  opts.transform = enumOption(o, "transform", kTransformNames);
  opts.stride = intOption(o, "stride", 1);
  opts.threads = static_cast<int>(intOption(o, "threads", 1));
  opts.blockWindows = intOption(o, "blockWindows", 0);
  opts.rebuildPeriod = intOption(o, "rebuildPeriod", 0);
  opts.scratch = intOption(o, "scratch", 0) != 0;
  if (!o.Get("path").IsUndefined()) opts.path = enumOption(o, "path", kSolvePathNames);
  opts.nonFinite = enumOption(o, "nonFinite", kNonFiniteNames);
  opts.isa = isaOption(o);
  return req;
}

// Where the first unusable loss is, as a JS error the TypeScript layer rewords.
struct BadValue {
  bool found = false;
  int64_t row = 0, column = 0;
  double value = 0;
};

Napi::Error badValueError(Napi::Env env, const BadValue& b) {
  Napi::Error e = Napi::Error::New(env, "non-finite loss");
  e.Set("code", Napi::String::New(env, "ERR_RDM2_NATIVE_NON_FINITE"));
  e.Set("row", Napi::Number::New(env, static_cast<double>(b.row)));
  e.Set("column", Napi::Number::New(env, static_cast<double>(b.column)));
  e.Set("value", Napi::Number::New(env, b.value));
  return e;
}

Napi::Object resultToJs(Napi::Env env, rdm2::AnalysisResult&& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("windows", Napi::Number::New(env, static_cast<double>(r.windows)));
  out.Set("eigenCount", Napi::Number::New(env, static_cast<double>(r.eigenCount)));
  out.Set("t", toJs(env, std::move(r.t)));
  for (std::size_t f = 0; f < rdm2::kObservableCount; ++f)
    out.Set(rdm2::kObservableFields[f].name, toJs(env, std::move(r.observables[f])));
  out.Set("eigenvalues", toJs(env, std::move(r.eigenvalues)));
  out.Set("eigenvectors", toJs(env, std::move(r.eigenvectors)));
  out.Set("degenerate", toJs(env, std::move(r.degenerate)));
  return out;
}

// The baton: inputs are pinned by references for the worker's lifetime; Execute() touches
// only plain C++ data. A reference does not stop a buffer from being detached
// (transferred), which frees its memory, so only arrays no user code can reach come here
// asynchronously: lib/analyze.ts copies a caller's array into its own chunk by chunk.
class AnalyzeWorker : public Napi::AsyncWorker {
 public:
  AnalyzeWorker(Napi::Env env, Request req, const Napi::CallbackInfo& info)
      : Napi::AsyncWorker(env, "rdm2:analyze"), deferred_(Napi::Promise::Deferred::New(env)), req_(req) {
    data_ = Napi::Persistent(info[0].As<Napi::Object>());
    if (info.Length() > 4 && info[4].IsObject()) bad_ = Napi::Persistent(info[4].As<Napi::Object>());
    if (info.Length() > 5 && info[5].IsObject()) into_ = Napi::Persistent(info[5].As<Napi::Object>());
    result_.eigenvectorsInto = req_.eigenvectorsInto;
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      rdm2::analyzeSliding(req_.input, req_.options, result_);
    } catch (const rdm2::NonFiniteError& e) {
      bad_value_ = BadValue{true, e.row, e.column, e.value};
      SetError(e.what());
    } catch (...) {
      failure_ = describeFailure();
      SetError(failure_.message);
    }
  }
  void OnOK() override { deferred_.Resolve(resultToJs(Env(), std::move(result_))); }
  void OnError(const Napi::Error& e) override {
    if (bad_value_.found)
      deferred_.Reject(badValueError(Env(), bad_value_).Value());
    else if (failure_.code)
      deferred_.Reject(codedError(Env(), failure_.code, failure_.message).Value());
    else
      deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Request req_;
  rdm2::AnalysisResult result_;
  BadValue bad_value_;
  WorkerFailure failure_;
  Napi::ObjectReference data_, bad_, into_;
};

Napi::Value AnalyzeAsync(const Napi::CallbackInfo& info) {
  Request req = parseRequest(info);
  AnalyzeWorker* worker = nullptr;
  try {
    worker = new AnalyzeWorker(info.Env(), req, info);
  } catch (...) {
    rethrowAsJs(info.Env());
  }
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

Napi::Value AnalyzeSync(const Napi::CallbackInfo& info) {
  Request req = parseRequest(info);
  rdm2::AnalysisResult result;
  result.eigenvectorsInto = req.eigenvectorsInto;
  try {
    rdm2::analyzeSliding(req.input, req.options, result);
  } catch (const rdm2::NonFiniteError& e) {
    throw badValueError(info.Env(), BadValue{true, e.row, e.column, e.value});
  } catch (...) {
    rethrowAsJs(info.Env());
  }
  return resultToJs(info.Env(), std::move(result));
}

// blockWindows(window, stride): the core's windows per block (lib/io chunks files on block boundaries).
Napi::Value BlockWindows(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
    throw Napi::TypeError::New(info.Env(), "blockWindows(window, stride)");
  const int64_t window = info[0].As<Napi::Number>().Int64Value(), stride = info[1].As<Napi::Number>().Int64Value();
  if (window < 2 || stride < 1) throw Napi::RangeError::New(info.Env(), "window >= 2 and stride >= 1 required");
  return Napi::Number::New(info.Env(), static_cast<double>(rdm2::defaultBlockWindows(window, stride)));
}

}  // namespace

void registerAnalyze(Napi::Env env, Napi::Object exports) {
  exports.Set("analyze", Napi::Function::New(env, AnalyzeAsync, "analyze"));
  exports.Set("analyzeSync", Napi::Function::New(env, AnalyzeSync, "analyzeSync"));
  exports.Set("blockWindows", Napi::Function::New(env, BlockWindows, "blockWindows"));
  Napi::Object enums = Napi::Object::New(env);
  enums.Set("detrend", enumNames(env, kDetrendNames));
  enums.Set("transform", enumNames(env, kTransformNames));
  enums.Set("nonFinite", enumNames(env, kNonFiniteNames));
  enums.Set("path", enumNames(env, kSolvePathNames));
  exports.Set("enums", enums);
}

}  // namespace rdm2addon
