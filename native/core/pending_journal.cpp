#include "pending_journal.hpp"

#include <cmath>
#include <cstring>

#include "types.hpp"

namespace rdm2 {

namespace {

[[noreturn]] void malformed() {
  throw CoreError("not a window of this monitor's journal");
}

bool integral(double v, double lo, double hi) {
  return v >= lo && v <= hi && v == std::floor(v);
}

// The header at `at`, checked: every field in range and the whole record inside the chunk.
RecordHeader readHeader(const double* chunk, int64_t length, int64_t at) {
  if (at < 0 || at > length - kRecordHeader) malformed();
  const double* h = chunk + at;
  // An order whose square overflows nothing: a record never exceeds the chunk anyway.
  if (!integral(h[kTag], 0, 1) || !integral(h[kKind], 0, 3) || !integral(h[kOrder], 0, 1 << 24) ||
      !integral(h[kScaleExp], -1100, 1100) || !integral(h[kOldest], 0, 1 << 24) ||
      !integral(h[kBase], 0, static_cast<double>(at)) || !integral(h[kSlot], 0, 1 << 24))
    malformed();
  RecordHeader r;
  r.tag = static_cast<RecordTag>(static_cast<int>(h[kTag]));
  r.kind = static_cast<PreparedWindow::Kind>(static_cast<int>(h[kKind]));
  r.order = static_cast<int64_t>(h[kOrder]);
  r.scaleExp = static_cast<int>(h[kScaleExp]);
  r.oldest = static_cast<int64_t>(h[kOldest]);
  r.base = static_cast<int64_t>(h[kBase]);
  r.slot = static_cast<int64_t>(h[kSlot]);
  if (recordLength(r.tag, r.order) > length - at) malformed();
  if ((r.tag == RecordTag::Base) != (r.base == at)) malformed();
  if (r.order > 0 && (r.oldest >= r.order || r.slot >= r.order)) malformed();
  return r;
}

}  // namespace

void writeRecordHeader(const RecordHeader& h, double* out) {
  out[kTag] = static_cast<double>(static_cast<int>(h.tag));
  out[kKind] = static_cast<double>(static_cast<int>(h.kind));
  out[kOrder] = static_cast<double>(h.order);
  out[kScaleExp] = h.scaleExp;
  out[kOldest] = static_cast<double>(h.oldest);
  out[kBase] = static_cast<double>(h.base);
  out[kSlot] = static_cast<double>(h.slot);
}

PreparedWindow readJournal(const double* chunk, int64_t length, int64_t at) {
  const RecordHeader r = readHeader(chunk, length, at);
  PreparedWindow p;
  p.kind = r.kind;
  p.order = r.order;
  p.scaleExp = r.scaleExp;
  p.oldest = r.oldest;
  if (r.kind == PreparedWindow::Kind::Bad || r.kind == PreparedWindow::Kind::NonFinite) return p;
  const int64_t N = r.order;
  if (r.kind == PreparedWindow::Kind::Matrix) {
    // n < W: the prepared matrix itself, always a base.
    if (r.tag != RecordTag::Base) malformed();
    p.matrix.assign(chunk + at + kRecordHeader, chunk + at + kRecordHeader + N * N);
    return p;
  }
  // A Gram: its base, then the column records after it up to this one, in push order.
  const RecordHeader b = readHeader(chunk, length, r.base);
  if (b.tag != RecordTag::Base || b.order != N || b.kind == PreparedWindow::Kind::Matrix) malformed();
  p.matrix.assign(chunk + r.base + kRecordHeader, chunk + r.base + kRecordHeader + N * N);
  double* G = p.matrix.data();
  int64_t next = r.base + recordLength(RecordTag::Base, N);
  while (next <= at) {
    const RecordHeader c = readHeader(chunk, length, next);
    if (c.tag != RecordTag::Column || c.order != N || c.base != r.base) malformed();
    const double* values = chunk + next + kRecordHeader;
    for (int64_t s = 0; s < N; ++s) G[c.slot * N + s] = G[s * N + c.slot] = values[s];
    next += recordLength(RecordTag::Column, N);
  }
  if (next != at + recordLength(r.tag, N)) malformed();
  return p;
}

}  // namespace rdm2
