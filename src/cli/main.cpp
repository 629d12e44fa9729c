// The gpugap executable: the application of src/cli/app.cpp, errors turned into exit codes.
#include <iostream>

#include "cli/cli.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  using namespace gpugap;
  cli::Global g;
  CLI::App app{std::string(cli::kAppDescription)};
  cli::build_app(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "gpugap: " << e.what() << "\n";
    return 2;
  } catch (const UserError& e) {
    std::cerr << "gpugap: " << e.what() << "\n";
    return 2;
  } catch (const InsufficientData& e) {
    std::cerr << "gpugap: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gpugap: internal error: " << e.what() << "\n";
    return 70;
  }
  return 0;
}
