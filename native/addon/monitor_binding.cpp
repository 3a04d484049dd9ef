// NativeMonitor: a WindowState owned by a JS object. lib/monitor.ts validates
// every row before it gets here, so a rejected push never touches the state.
#include <napi.h>

#include <memory>

#include "../core/row_input.hpp"
#include "../core/window_state.hpp"
#include "enum_names.hpp"
#include "typed_arrays.hpp"

namespace rdm2addon {
namespace {

class MonitorWrap : public Napi::ObjectWrap<MonitorWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeMonitor",
                       {InstanceMethod("push", &MonitorWrap::Push), InstanceMethod("save", &MonitorWrap::Save),
                        InstanceMethod("load", &MonitorWrap::Load), InstanceMethod("close", &MonitorWrap::Close)});
  }

  // new NativeMonitor({ probes, window, topK, detrend, transform, beta })
  explicit MonitorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MonitorWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "NativeMonitor(options)");
    Napi::Object o = info[0].As<Napi::Object>();
    const int64_t probes = intOption(o, "probes", 0);
    const int64_t window = intOption(o, "window", 0);
    if (probes < 1 || window < 2) throw Napi::RangeError::New(env, "probes >= 1 and window >= 2 required");
    spectrum_.window = window;
    spectrum_.topK = intOption(o, "topK", 0);
    spectrum_.beta = numberOption(o, "beta", 1.0);
    spectrum_.detrend = enumOption(o, "detrend", kDetrendNames);
    transform_ = enumOption(o, "transform", kTransformNames);
    const int64_t m = window - 1 < probes ? window - 1 : probes;
    if (spectrum_.topK < 0 || spectrum_.topK > m) throw Napi::RangeError::New(env, "topK exceeds min(W-1, n)");
    state_ = std::make_unique<rdm2::WindowState>(probes, window, intOption(o, "rebuildPeriod", 0));
    row_.resize(probes);
  }

 private:
  rdm2::WindowState& state(Napi::Env env) {
    if (!state_) throw Napi::Error::New(env, "monitor is closed");
    return *state_;
  }

  // push(row: Float32Array | Float64Array, bad: boolean) -> null | result
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    rdm2::WindowState& ws = state(env);
    if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "push(row, bad)");
    Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
    rdm2::InputMatrix in;
    in.rows = 1;
    in.cols = ws.probes();
    in.rowStride = in.cols;
    if (static_cast<int64_t>(ta.ElementLength()) != in.cols)
      throw Napi::RangeError::New(env, "row length differs from probes");
    if (ta.TypedArrayType() == napi_float32_array) {
      in.dtype = rdm2::DType::F32;
      in.data = ta.As<Napi::Float32Array>().Data();
    } else if (ta.TypedArrayType() == napi_float64_array) {
      in.dtype = rdm2::DType::F64;
      in.data = ta.As<Napi::Float64Array>().Data();
    } else {
      throw Napi::TypeError::New(env, "row must be a Float32Array or Float64Array");
    }
    const bool bad = info.Length() > 1 && info[1].ToBoolean().Value();
    rdm2::loadRow(in, 0, transform_, row_.data());
    ws.push(row_.data(), bad);
    if (!ws.full()) return env.Null();
    const int64_t m = ws.eigenCount(), n = ws.probes(), k = spectrum_.topK;
    std::vector<double> eigenvalues(m);
    std::vector<float> eigenvectors(k * n);
    rdm2::SpectrumOut out;
    out.eigenvalues = eigenvalues.data();
    out.eigenvectors = k > 0 ? eigenvectors.data() : nullptr;
    try {
      ws.spectrum(spectrum_, out);
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
    Napi::Object r = Napi::Object::New(env);
    for (const rdm2::ObservableField& f : rdm2::kObservableFields) r.Set(f.name, out.obs.*f.value);
    r.Set("degenerate", out.obs.degenerate);
    r.Set("eigenvalues", toJs(env, std::move(eigenvalues)));
    if (k > 0) r.Set("eigenvectors", toJs(env, std::move(eigenvectors)));
    return r;
  }

  Napi::Value Save(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    rdm2::WindowState::Saved s = state(env).save();
    std::vector<double> positions(s.positions.begin(), s.positions.end());
    Napi::Object o = Napi::Object::New(env);
    o.Set("deviations", toJs(env, std::move(s.deviations)));
    o.Set("gram", toJs(env, std::move(s.gram)));
    o.Set("reference", toJs(env, std::move(s.reference)));
    o.Set("positions", toJs(env, std::move(positions)));
    o.Set("bad", toJs(env, std::move(s.bad)));
    o.Set("count", static_cast<double>(s.count));
    o.Set("sinceRebuild", static_cast<double>(s.sinceRebuild));
    o.Set("hasReference", s.hasReference);
    return o;
  }

  template <typename TA, typename T>
  static std::vector<T> copyArray(Napi::Env env, Napi::Object o, const char* key) {
    Napi::Value v = o.Get(key);
    if (!v.IsTypedArray()) throw Napi::TypeError::New(env, std::string("state.") + key + " must be a typed array");
    TA ta = v.As<TA>();
    return std::vector<T>(ta.Data(), ta.Data() + ta.ElementLength());
  }

  Napi::Value Load(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "load(state)");
    Napi::Object o = info[0].As<Napi::Object>();
    rdm2::WindowState::Saved s;
    s.deviations = copyArray<Napi::Float64Array, double>(env, o, "deviations");
    s.gram = copyArray<Napi::Float64Array, double>(env, o, "gram");
    s.reference = copyArray<Napi::Float64Array, double>(env, o, "reference");
    std::vector<double> positions = copyArray<Napi::Float64Array, double>(env, o, "positions");
    s.positions.assign(positions.begin(), positions.end());
    s.bad = copyArray<Napi::Uint8Array, uint8_t>(env, o, "bad");
    s.count = intOption(o, "count", -1);
    s.sinceRebuild = intOption(o, "sinceRebuild", -1);
    s.hasReference = o.Get("hasReference").ToBoolean().Value();
    try {
      state(env).load(s);
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    state_.reset();
    return info.Env().Undefined();
  }

  rdm2::SpectrumOptions spectrum_;
  rdm2::Transform transform_ = rdm2::Transform::None;
  std::unique_ptr<rdm2::WindowState> state_;
  std::vector<double> row_;
};

}  // namespace

void registerMonitor(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeMonitor", MonitorWrap::Define(env));
}

}  // namespace rdm2addon
