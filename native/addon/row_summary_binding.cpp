// summarizeRows(data, rows, cols, options) -> index of the first unusable loss, or -1
// summarizeRowsAsync(data, rows, cols, options) -> Promise of the same
// options: { transform, lo?, hi?, notPositive? (Float64Array, cols each), rowMeans?
// (Float64Array, rows), group? (Int32Array, cols), groupSize? (Float64Array, groups),
// groupMeans? (Float64Array, rows x groups), isa? }. Arguments arrive validated from
// lib/io/row_summary.ts; here we re-check what protects memory (lengths, types, group indices).
// The async form reads and writes only arrays the library owns (never a caller's).
#include <napi.h>

#include <string>
#include <vector>

#include "../core/isa.hpp"
#include "../core/row_summary.hpp"
#include "enum_names.hpp"
#include "native_errors.hpp"
#include "typed_arrays.hpp"

namespace rdm2addon {
namespace {

double* float64Option(const Napi::Object& o, const char* key, int64_t need, std::vector<Napi::Value>& keep) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return nullptr;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  if (static_cast<int64_t>(a.ElementLength()) < need)
    throw Napi::RangeError::New(o.Env(), std::string(key) + " is too short");
  keep.push_back(v);
  return a.Data();
}

struct Parsed {
  rdm2::RowSummaryRequest req;
  std::vector<Napi::Value> arrays;  // every array the request points into
};

Parsed parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsObject())
    throw Napi::TypeError::New(env, "summarizeRows(data, rows, cols, options): bad arguments");
  Parsed p;
  rdm2::RowSummaryRequest& r = p.req;
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  if (ta.TypedArrayType() == napi_float32_array) {
    r.dtype = rdm2::DType::F32;
    r.data = ta.As<Napi::Float32Array>().Data();
  } else if (ta.TypedArrayType() == napi_float64_array) {
    r.dtype = rdm2::DType::F64;
    r.data = ta.As<Napi::Float64Array>().Data();
  } else {
    throw Napi::TypeError::New(env, "data must be a Float32Array or Float64Array");
  }
  p.arrays.push_back(info[0]);
  r.rows = info[1].As<Napi::Number>().Int64Value();
  r.cols = info[2].As<Napi::Number>().Int64Value();
  if (r.rows < 0 || r.cols < 1) throw Napi::RangeError::New(env, "rows >= 0 and cols >= 1 required");
  if (r.rows * r.cols > static_cast<int64_t>(ta.ElementLength()))
    throw Napi::RangeError::New(env, "data is shorter than rows x cols");
  Napi::Object o = info[3].As<Napi::Object>();
  r.transform = enumOption(o, "transform", kTransformNames);
  r.lo = float64Option(o, "lo", r.cols, p.arrays);
  r.hi = float64Option(o, "hi", r.cols, p.arrays);
  r.notPositive = float64Option(o, "notPositive", r.cols, p.arrays);
  if ((r.lo == nullptr) != (r.hi == nullptr) || (r.lo == nullptr) != (r.notPositive == nullptr))
    throw Napi::TypeError::New(env, "lo, hi and notPositive go together");
  r.rowMeans = float64Option(o, "rowMeans", r.rows, p.arrays);
  Napi::Value group = o.Get("group");
  if (!group.IsUndefined()) {
    if (!group.IsTypedArray() || group.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw Napi::TypeError::New(env, "group must be an Int32Array");
    Napi::Int32Array g = group.As<Napi::Int32Array>();
    if (static_cast<int64_t>(g.ElementLength()) < r.cols) throw Napi::RangeError::New(env, "group is too short");
    r.groups = intOption(o, "groups", 0);
    if (r.groups < 1) throw Napi::RangeError::New(env, "groups >= 1 required with group");
    for (int64_t c = 0; c < r.cols; ++c)
      if (g.Data()[c] < 0 || g.Data()[c] >= r.groups) throw Napi::RangeError::New(env, "group index out of range");
    r.group = g.Data();
    p.arrays.push_back(group);
    r.groupSize = float64Option(o, "groupSize", r.groups, p.arrays);
    r.groupMeans = float64Option(o, "groupMeans", r.rows * r.groups, p.arrays);
    if (!r.groupSize || !r.groupMeans) throw Napi::TypeError::New(env, "group needs groupSize and groupMeans");
  }
  r.isa = isaOption(o);
  return p;
}

Napi::Value SummarizeRows(const Napi::CallbackInfo& info) {
  Parsed p = parse(info);
  int64_t bad = -1;
  try {
    bad = rdm2::summarizeRows(p.req);
  } catch (...) {
    rethrowAsJs(info.Env());
  }
  return Napi::Number::New(info.Env(), static_cast<double>(bad));
}

class SummarizeWorker : public Napi::AsyncWorker {
 public:
  SummarizeWorker(Napi::Env env, Parsed&& p)
      : Napi::AsyncWorker(env, "rdm2:summarizeRows"), deferred_(Napi::Promise::Deferred::New(env)), req_(p.req) {
    for (Napi::Value& v : p.arrays) refs_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      bad_ = rdm2::summarizeRows(req_);
    } catch (...) {
      failure_ = describeFailure();
      SetError(failure_.message);
    }
  }
  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), static_cast<double>(bad_))); }
  void OnError(const Napi::Error& e) override {
    deferred_.Reject(failure_.code ? codedError(Env(), failure_.code, failure_.message).Value() : e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  rdm2::RowSummaryRequest req_;
  std::vector<Napi::ObjectReference> refs_;
  int64_t bad_ = -1;
  WorkerFailure failure_;
};

Napi::Value SummarizeRowsAsync(const Napi::CallbackInfo& info) {
  Parsed p = parse(info);
  SummarizeWorker* worker = nullptr;
  try {
    worker = new SummarizeWorker(info.Env(), std::move(p));
  } catch (...) {
    rethrowAsJs(info.Env());
  }
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace

void registerRowSummary(Napi::Env env, Napi::Object exports) {
  exports.Set("summarizeRows", Napi::Function::New(env, SummarizeRows, "summarizeRows"));
  exports.Set("summarizeRowsAsync", Napi::Function::New(env, SummarizeRowsAsync, "summarizeRowsAsync"));
}

}  // namespace rdm2addon
