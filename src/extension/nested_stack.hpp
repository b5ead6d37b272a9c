// A stack of what the executor hooks keep per running statement, which
// nests like the statements do. An error skips the hook's pop: the stack is
// emptied when the transaction ends and cut back when a subtransaction
// aborts (a statement that failed inside a caught exception), to the
// entries pushed before it began.
#pragma once
#include "extension/pg.hpp"

namespace tg {

template <typename T, int Capacity>
class NestedStack {
   public:
    // From _PG_init, once per stack.
    void register_resets() {
        RegisterXactCallback(&on_transaction_end, this);
        RegisterSubXactCallback(&on_subtransaction_end, this);
    }
    // A new entry, value-initialized; nullptr deeper than Capacity (counted
    // all the same, so that pops stay paired).
    T *push() {
        depth_++;
        if (depth_ > Capacity) return nullptr;
        levels_[depth_ - 1] = GetCurrentTransactionNestLevel();
        items_[depth_ - 1] = T{};
        return &items_[depth_ - 1];
    }
    void pop() {
        if (depth_ > 0) depth_--;
    }
    // nullptr when empty or deeper than Capacity.
    T *top() { return depth_ > 0 && depth_ <= Capacity ? &items_[depth_ - 1] : nullptr; }
    // The entries kept, outermost first.
    int kept() const { return depth_ < Capacity ? depth_ : Capacity; }
    T &operator[](int i) { return items_[i]; }

   private:
    static void on_transaction_end(XactEvent event, void *arg) noexcept {
        if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
            event == XACT_EVENT_PREPARE)
            static_cast<NestedStack *>(arg)->depth_ = 0;
    }
    static void on_subtransaction_end(SubXactEvent event, SubTransactionId, SubTransactionId, void *arg) noexcept {
        if (event != SUBXACT_EVENT_ABORT_SUB) return;
        auto *s = static_cast<NestedStack *>(arg);
        if (s->depth_ > Capacity) s->depth_ = Capacity;
        while (s->depth_ > 0 && s->levels_[s->depth_ - 1] >= GetCurrentTransactionNestLevel()) s->depth_--;
    }
    T items_[Capacity];
    int levels_[Capacity];  // the subtransaction level each entry was pushed in
    int depth_ = 0;
};

}  // namespace tg
