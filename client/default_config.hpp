// The cluster config a program uses when none is named: config/cluster.yaml in the current
// folder, else the checkout's beside the program (build/bin/ -> the repository), as bank-cli,
// bank-trace and bank-web find it.
#pragma once

#include <filesystem>

namespace bank {

std::filesystem::path default_config_path();

}  // namespace bank
