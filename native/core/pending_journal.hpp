// The journal of lazy windows: how the streaming monitor keeps every window it returned
// readable later without copying its W x W Gram at each push.
//
// A push changes one row and column of the Gram (the new row's W dot products); only a
// reference move or a rebuild changes all of it, once per W pushes at most. So the monitor
// appends to a journal, per window, either a base record (the whole Gram, after such a change
// or at the start of a chunk) or a column record (the slot whose row and column were
// replaced, and their W values). A window is rebuilt when read: its base, then every column
// record up to its own, applied in order; the result is the Gram the monitor held at that
// push, bit for bit. Records are appended and never rewritten, so a window read after later
// pushes, a snapshot or close() sees the values of its own push.
//
// The journal lives in caller-owned chunks of doubles (Float64Arrays in JavaScript, freed
// when no window refers to them); a window refers to one chunk and the offset of its record.
// Record: kRecordHeader doubles, then order x order values (base) or order values (column).
// With n < W every record is a base holding the window's prepared n x n matrix.
#pragma once
#include <cstdint>

#include "window_state.hpp"

namespace rdm2 {

constexpr int64_t kRecordHeader = 7;
// Header fields, in order.
enum RecordField : int64_t { kTag, kKind, kOrder, kScaleExp, kOldest, kBase, kSlot };
enum class RecordTag : int { Base = 0, Column = 1 };

struct RecordHeader {
  RecordTag tag = RecordTag::Base;
  PreparedWindow::Kind kind = PreparedWindow::Kind::Matrix;
  int64_t order = 0;
  int scaleExp = 0;
  int64_t oldest = 0;
  int64_t base = 0;  // offset of the base record the window's Gram starts from (its own for a base)
  int64_t slot = 0;  // column records: the slot whose row and column the values replace
};

// Doubles a record takes.
inline int64_t recordLength(RecordTag tag, int64_t order) {
  return kRecordHeader + (tag == RecordTag::Base ? order * order : order);
}

void writeRecordHeader(const RecordHeader& h, double* out);

// The window whose record starts at `at` in a chunk of `length` doubles, ready for
// solvePreparedWindow. Throws CoreError when the chunk does not hold a well-formed record
// chain there (every index is checked against `length`).
PreparedWindow readJournal(const double* chunk, int64_t length, int64_t at);

}  // namespace rdm2
