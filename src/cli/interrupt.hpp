// Ctrl-C and SIGTERM as a request to stop, for commands that must end their
// work cleanly (recover: the tenant transactions in flight roll back). The
// handler only sets a flag; the command polls it.
#pragma once

namespace tg::cli {

void install_interrupt_handlers();
bool interrupt_requested();
// The signal that asked to stop (SIGINT, SIGTERM), 0 if none.
int interrupt_signal();

// Blocks SIGINT and SIGTERM in the calling thread while it lives, so that
// worker threads started meanwhile leave them to the main thread.
class SignalsBlocked {
   public:
    SignalsBlocked();
    ~SignalsBlocked();
    SignalsBlocked(const SignalsBlocked &) = delete;
    SignalsBlocked &operator=(const SignalsBlocked &) = delete;
};

}  // namespace tg::cli
