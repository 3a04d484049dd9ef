// NativeMonitor: a WindowState owned by a JS object. lib/monitor.ts validates
// every row before it gets here, so a rejected push never touches the state.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "../core/isa.hpp"
#include "../core/kernel_table.hpp"
#include "../core/pending_journal.hpp"
#include "../core/row_input.hpp"
#include "../core/window_state.hpp"
#include "enum_names.hpp"
#include "native_errors.hpp"
#include "typed_arrays.hpp"

namespace rdm2addon {
namespace {

// A block of a monitor's journal of lazy windows (native/core/pending_journal.hpp). Native
// memory, shared by the monitor (while it appends) and by the JavaScript handle its windows
// hold (an External): nothing in JavaScript can read, write or detach it, and it lives until
// the last window that refers to it is collected.
struct JournalChunk {
  explicit JournalChunk(int64_t length) : data(static_cast<size_t>(length), 0.0) {}
  std::vector<double> data;
};
using JournalHandle = std::shared_ptr<JournalChunk>;
// Marks the Externals that are journal handles (napi_type_tag_object).
constexpr napi_type_tag kJournalTag = {0x9e3c5a1f4b2d7c60ULL, 0x1d8f2e6a7b3c4d59ULL};

class MonitorWrap : public Napi::ObjectWrap<MonitorWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "NativeMonitor",
        {InstanceMethod("push", &MonitorWrap::Push), InstanceMethod("newJournal", &MonitorWrap::NewJournal),
         InstanceMethod("solveJournal", &MonitorWrap::SolveJournal), InstanceMethod("save", &MonitorWrap::Save),
         InstanceMethod("journalLimit", &MonitorWrap::JournalLimit), InstanceMethod("load", &MonitorWrap::Load),
         InstanceMethod("close", &MonitorWrap::Close)});
  }

  // new NativeMonitor({ probes, window, topK, detrend, transform, beta, nonFinite, rebuildPeriod, isa })
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
    if (!o.Get("nonFinite").IsUndefined()) nonFinite_ = enumOption(o, "nonFinite", kNonFiniteNames);
    const int64_t m = window - 1 < probes ? window - 1 : probes;
    if (spectrum_.topK < 0 || spectrum_.topK > m) throw Napi::RangeError::New(env, "topK exceeds min(W-1, n)");
    try {
      kernels_ = &rdm2::kernelTable(static_cast<rdm2::Isa>(isaOption(o)));
      state_ = std::make_unique<rdm2::WindowState>(probes, spectrum_, intOption(o, "rebuildPeriod", 0), *kernels_);
      probes_ = probes;
    } catch (...) {
      rethrowAsJs(env);
    }
  }

 private:
  rdm2::WindowState& state(Napi::Env env) {
    if (!state_) throw Napi::Error::New(env, "monitor is closed");
    return *state_;
  }

  Napi::Object windowToJs(Napi::Env env, const rdm2::SpectrumOut& out, std::vector<double>&& eigenvalues,
                          std::vector<float>&& eigenvectors) {
    Napi::Object r = Napi::Object::New(env);
    for (const rdm2::ObservableField& f : rdm2::kObservableFields) r.Set(f.name, out.obs.*f.value);
    r.Set("degenerate", out.obs.degenerate);
    r.Set("eigenvalues", toJs(env, std::move(eigenvalues)));
    if (!eigenvectors.empty()) r.Set("eigenvectors", toJs(env, std::move(eigenvectors)));
    return r;
  }

  // Flags of push (lib/native.ts names them).
  static constexpr int kPushBad = 1, kPushLazy = 2, kPushCheck = 4;

  // push(row: Float32Array | Float64Array, flags: number)
  //   -> null while the window fills; then the window, or with kPushLazy (and topK = 0) the
  //   end of the window's record in the current journal block (newJournal), which has
  //   room for one record: no eigensolve and no copy of the Gram until the window is read.
  //   kPushCheck: the caller has not scanned the row for losses that cannot be analysed
  //   (NaN, infinities, and <= 0 under the log transform). Under the monitor's nonFinite
  //   'error' such a row is not pushed and -1 - (the column of the first) is returned; under
  //   'skip-window' it is pushed as bad. kPushBad: push the row as bad.
  Napi::Value Push(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    rdm2::WindowState& ws = state(env);
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsNumber())
      throw Napi::TypeError::New(env, "push(row, flags)");
    // One query for type, length and data (the wrappers' accessors each repeat it).
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, info[0], &type, &length, &data, nullptr, nullptr),
                         Napi::Value());
    rdm2::InputMatrix in;
    in.rows = 1;
    in.cols = ws.probes();
    in.rowStride = in.cols;
    if (static_cast<int64_t>(length) != in.cols) throw Napi::RangeError::New(env, "row length differs from probes");
    if (type == napi_float32_array)
      in.dtype = rdm2::DType::F32;
    else if (type == napi_float64_array)
      in.dtype = rdm2::DType::F64;
    else
      throw Napi::TypeError::New(env, "row must be a Float32Array or Float64Array");
    in.data = data;  // napi_get_typedarray_info's data already includes the view's byte offset
    const int flags = info[1].As<Napi::Number>().Int32Value();
    bool bad = flags & kPushBad;
    const bool lazy = (flags & kPushLazy) && spectrum_.topK == 0;
    const rdm2::NonFinite check = flags & kPushCheck ? nonFinite_ : rdm2::NonFinite::Unchecked;
    // Read (and, when asked, scan) the row into the state's spare row: nothing changes until it is pushed.
    double* staged = ws.stagingRow();
    int64_t badColumn = -1;
    if (transform_ == rdm2::Transform::None) {
      badColumn = kernels_->convertRow(in.data, in.dtype == rdm2::DType::F32, in.cols, staged);
    } else {
      rdm2::loadRow(in, 0, transform_, staged);
      if (check != rdm2::NonFinite::Unchecked) badColumn = rdm2::firstBadColumn(in, 0, transform_);
    }
    if (check != rdm2::NonFinite::Unchecked && !bad && badColumn >= 0) {
      if (check == rdm2::NonFinite::Error) return Napi::Number::New(env, -1.0 - static_cast<double>(badColumn));
      bad = true;
    }
    try {
      // A lazy window needs room in the journal: checked before anything changes.
      if (lazy && ws.fullAfterPush() &&
          (!journal_ || static_cast<int64_t>(journal_->data.size()) - journalEnd_ < ws.longestRecord()))
        throw rdm2::CoreError("push: the journal has no room for a record (newJournal first)");
      ws.push(staged, bad);
      if (!ws.full()) return env.Null();
      if (lazy) {
        journalEnd_ = ws.appendPending(journal_->data.data(), static_cast<int64_t>(journal_->data.size()), journalEnd_,
                                       journalFresh_);
        journalFresh_ = false;
        return Napi::Number::New(env, static_cast<double>(journalEnd_));
      }
      const int64_t m = ws.eigenCount(), n = ws.probes(), k = spectrum_.topK;
      std::vector<double> eigenvalues(m);
      std::vector<float> eigenvectors(k * n);
      rdm2::SpectrumOut out;
      out.eigenvalues = eigenvalues.data();
      out.eigenvectors = k > 0 ? eigenvectors.data() : nullptr;
      ws.spectrum(out);
      return windowToJs(env, out, std::move(eigenvalues), std::move(eigenvectors));
    } catch (...) {
      rethrowAsJs(env);
    }
  }

  // journalLimit() -> the largest end of a journal block at which a lazy push still finds
  // room for its record (beyond it, newJournal first).
  Napi::Value JournalLimit(const Napi::CallbackInfo& info) {
    const rdm2::WindowState& ws = state(info.Env());
    return Napi::Number::New(info.Env(), static_cast<double>(journalLength(ws) - ws.longestRecord()));
  }

  // Doubles in a journal block: room for at least two records, and for many column records
  // (a base is W x W, a column W).
  static int64_t journalLength(const rdm2::WindowState& ws) {
    return std::max<int64_t>(int64_t{1} << 16, 2 * ws.longestRecord());
  }

  // newJournal() -> handle: a new block for lazy pushes' records, which replaces the current
  // one (the windows that refer to that one keep it).
  Napi::Value NewJournal(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const int64_t length = journalLength(state(env));
    try {
      JournalHandle chunk = std::make_shared<JournalChunk>(length);
      const int64_t bytes = length * static_cast<int64_t>(sizeof(double));
      auto handle =
          Napi::External<JournalHandle>::New(env, new JournalHandle(chunk), [bytes](Napi::Env e, JournalHandle* h) {
            delete h;
            Napi::MemoryManagement::AdjustExternalMemory(e, -bytes);
          });
      handle.TypeTag(&kJournalTag);
      // The garbage collector sees the block's size (the handle itself is small).
      Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
      journal_ = std::move(chunk);
      journalEnd_ = 0;
      journalFresh_ = true;
      return handle;
    } catch (...) {
      rethrowAsJs(env);
    }
  }

  // solveJournal(handle, at: number) -> window: the window whose record starts at `at` in the
  // block. Works after later pushes and after close(): records are never rewritten.
  Napi::Value SolveJournal(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsExternal() ||
        !info[0].As<Napi::External<JournalHandle>>().CheckTypeTag(&kJournalTag) || !info[1].IsNumber())
      throw Napi::TypeError::New(env, "solveJournal(journal, at)");
    const JournalChunk& chunk = **info[0].As<Napi::External<JournalHandle>>().Data();
    const double at = info[1].As<Napi::Number>().DoubleValue();
    try {
      const int64_t length = static_cast<int64_t>(chunk.data.size());
      if (!(at >= 0 && at < static_cast<double>(length)) || at != std::floor(at))
        throw rdm2::CoreError("not a window of this monitor's journal");
      const rdm2::PreparedWindow p = rdm2::readJournal(chunk.data.data(), length, static_cast<int64_t>(at));
      const int64_t probes = probes_;
      const int64_t m = spectrum_.window - 1 < probes ? spectrum_.window - 1 : probes;
      std::vector<double> eigenvalues(m);
      rdm2::SpectrumOut out;
      out.eigenvalues = eigenvalues.data();
      rdm2::solvePreparedWindow(*kernels_, p, spectrum_.window, spectrum_.detrend, m, spectrum_.beta, out);
      return windowToJs(env, out, std::move(eigenvalues), {});
    } catch (...) {
      rethrowAsJs(env);
    }
  }

  Napi::Value Save(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    try {
      rdm2::WindowState::Saved s = state(env).save();
      std::vector<double> positions(s.positions.begin(), s.positions.end());
      Napi::Object o = Napi::Object::New(env);
      o.Set("rows", toJs(env, std::move(s.rows)));
      o.Set("gram", toJs(env, std::move(s.gram)));
      o.Set("reference", toJs(env, std::move(s.reference)));
      o.Set("positions", toJs(env, std::move(positions)));
      o.Set("bad", toJs(env, std::move(s.bad)));
      o.Set("count", static_cast<double>(s.count));
      o.Set("sinceRebuild", static_cast<double>(s.sinceRebuild));
      o.Set("hasReference", s.hasReference);
      o.Set("scaleExp", static_cast<double>(s.scaleExp));
      o.Set("scaleChosen", s.scaleChosen);
      o.Set("level", s.level);
      return o;
    } catch (...) {
      rethrowAsJs(env);
    }
  }

  template <typename TA, typename T>
  static std::vector<T> copyArray(Napi::Env env, Napi::Object o, const char* key) {
    Napi::Value v = o.Get(key);
    if (!v.IsTypedArray()) throw Napi::TypeError::New(env, std::string("state.") + key + " must be a typed array");
    TA ta = v.As<TA>();
    return std::vector<T>(ta.Data(), ta.Data() + ta.ElementLength());
  }

  // An integer field of a saved state: a number holding a safe integer in [lo, hi].
  static int64_t integerField(Napi::Env env, Napi::Object o, const char* key, double lo, double hi) {
    Napi::Value v = o.Get(key);
    const double x = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!(x >= lo && x <= hi) || x != std::floor(x))
      throw Napi::RangeError::New(env, std::string("saved window state: ") + key + " must be an integer between " +
                                           std::to_string(static_cast<int64_t>(lo)) + " and " +
                                           std::to_string(static_cast<int64_t>(hi)));
    return static_cast<int64_t>(x);
  }

  static bool booleanField(Napi::Env env, Napi::Object o, const char* key) {
    Napi::Value v = o.Get(key);
    if (!v.IsBoolean())
      throw Napi::TypeError::New(env, std::string("saved window state: ") + key + " must be a boolean");
    return v.As<Napi::Boolean>().Value();
  }

  Napi::Value Load(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "load(state)");
    Napi::Object o = info[0].As<Napi::Object>();
    rdm2::WindowState& ws = state(env);
    try {
      rdm2::WindowState::Saved s;
      s.rows = copyArray<Napi::Float64Array, double>(env, o, "rows");
      s.gram = copyArray<Napi::Float64Array, double>(env, o, "gram");
      s.reference = copyArray<Napi::Float64Array, double>(env, o, "reference");
      std::vector<double> positions = copyArray<Napi::Float64Array, double>(env, o, "positions");
      for (double p : positions)
        if (!(p >= 0 && p <= 9007199254740991.0) || p != std::floor(p))
          throw Napi::RangeError::New(env, "saved window state: positions must be integers");
      s.positions.assign(positions.begin(), positions.end());
      s.bad = copyArray<Napi::Uint8Array, uint8_t>(env, o, "bad");
      s.count = integerField(env, o, "count", 0, 9007199254740991.0);
      s.sinceRebuild = integerField(env, o, "sinceRebuild", 0, 9007199254740991.0);
      s.scaleExp = static_cast<int>(integerField(env, o, "scaleExp", -1100, 1100));
      s.hasReference = booleanField(env, o, "hasReference");
      s.scaleChosen = booleanField(env, o, "scaleChosen");
      Napi::Value level = o.Get("level");
      s.level = level.IsNumber() ? level.As<Napi::Number>().DoubleValue() : NAN;
      ws.load(s);
    } catch (...) {
      rethrowAsJs(env);
    }
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    state_.reset();
    journal_.reset();
    return info.Env().Undefined();
  }

  rdm2::SpectrumOptions spectrum_;
  rdm2::Transform transform_ = rdm2::Transform::None;
  rdm2::NonFinite nonFinite_ = rdm2::NonFinite::Unchecked;  // how push treats a row it is asked to check
  const rdm2::KernelTable* kernels_ = nullptr;
  std::unique_ptr<rdm2::WindowState> state_;
  int64_t probes_ = 0;
  // The block lazy pushes append to (newJournal), and where its next record goes.
  JournalHandle journal_;
  int64_t journalEnd_ = 0;
  bool journalFresh_ = true;
};

}  // namespace

void registerMonitor(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeMonitor", MonitorWrap::Define(env));
}

}  // namespace rdm2addon
