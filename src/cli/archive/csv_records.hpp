// Counts the records of CSV as PostgreSQL's COPY writes it (FORMAT csv, quote
// '"', quotes inside a field doubled): a record ends at a newline outside
// quotes. Fed in arbitrary chunks, so the count of a part of any size is
// known without holding it — both when exporting and when checking.
#pragma once

#include "common/bytes.hpp"

#include <cstdint>

namespace tg::cli {

class CsvRecordCounter {
   public:
    void feed(tg::common::ByteView chunk) {
        for (const std::uint8_t byte : chunk) {
            if (byte == '"') in_quotes_ = !in_quotes_;  // a doubled quote toggles twice
            if (byte == '\n' && !in_quotes_) {
                ++records_;
                partial_ = false;
            } else {
                partial_ = true;
            }
        }
    }
    std::uint64_t records() const { return records_; }
    // True when everything fed so far ends exactly after a whole record.
    bool complete() const { return !partial_; }

   private:
    std::uint64_t records_ = 0;
    bool in_quotes_ = false;
    bool partial_ = false;
};

}  // namespace tg::cli
