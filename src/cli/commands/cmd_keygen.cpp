// keygen: a new Ed25519 key pair as two PEM files. The private key file is
// created 0600 and never replaces an existing file: overwriting a key that
// was registered would lock its holder out of purges for good.
#include "cli/commands/commands.hpp"

#include "common/ed25519.hpp"
#include "cli/cli_error.hpp"
#include "cli/file_io.hpp"

#include <iostream>

namespace tg::cli {

int run_keygen(const Options &o) {
    const std::string private_path = o.key_name + ".key";
    const std::string public_path = o.key_name + ".pub";
    for (const auto &path : {private_path, public_path}) {
        if (path_exists(path))
            throw Failure(path + " already exists; keygen never overwrites a key (choose another --out)");
    }
    const tg::common::KeyPairPem pair = tg::common::generate_key_pair_pem();

    Fd private_fd = create_new(private_path, 0600);
    write_all(private_fd.get(), pair.private_pem, private_path);
    sync_file(private_fd.get(), private_path);
    private_fd.close(private_path);

    Fd public_fd = create_new(public_path, 0644);
    write_all(public_fd.get(), pair.public_pem, public_path);
    sync_file(public_fd.get(), public_path);
    public_fd.close(public_path);
    sync_parent_directory(public_path);

    std::cout << "wrote " << private_path << " (private key, mode 0600: keep it off the database server)\n"
              << "wrote " << public_path
              << " (public key: SELECT tenant_guard.add_purge_key('<key id>', '<its contents>'))\n";
    return exit_ok;
}

}  // namespace tg::cli
