// authctl enroll totp USER [--label L] [--digits 6|8] [--algorithm A] [--no-confirm]
//                          [--qr-png FILE]
// authctl enroll fido2 ...: cli/cmd_enroll_fido2.cpp

#include "cli/cmd_enroll.h"

#include <filesystem>
#include <memory>
#include <ostream>

#include "authd/wipe.h"
#include "cli/cmd_confirm.h"
#include "cli/cmd_enroll_fido2.h"
#include "cli/commands.h"
#include "cli/response_reader.h"
#include "enrollment/qr_code.h"

namespace authd::cli {

namespace {

struct EnrollOptions {
  std::string user;
  std::optional<std::string> label;
  std::optional<int> digits;
  std::optional<std::string> algorithm;
  bool noConfirm = false;
  std::string qrPng;
};

nlohmann::json enrollRequest(const EnrollOptions& options) {
  nlohmann::json request = {
      {"op", "enroll_totp"}, {"user", options.user}, {"confirm", !options.noConfirm}};
  if (options.label) request["label"] = *options.label;
  if (options.digits) request["digits"] = *options.digits;
  if (options.algorithm) request["algorithm"] = *options.algorithm;
  return request;
}

// In --json mode the result is the output; no prompt, the credential stays as authd made it.
int finishJson(Context& ctx, nlohmann::json& response, const EnrollResult& result,
               const EnrollOptions& options) {
  nlohmann::json fields = resultFields(response);  // a copy: wiped as well
  printJson(ctx, fields);
  for (nlohmann::json* object : {&fields, &response}) {
    wipeJsonString(*object, "secret");
    wipeJsonString(*object, "uri");
  }
  std::string error;
  if (!options.qrPng.empty() && !writeQrPng(std::string_view(result.uri), options.qrPng, &error)) {
    return fail(ctx, kExitFailed, error);
  }
  return kExitOk;
}

int finishText(Context& ctx, const EnrollResult& result, const EnrollOptions& options) {
  std::string summary = formatEnrollSummary(options.user, result);
  std::string qr = renderQrTerminal(std::string_view(result.uri));
  ctx.out << summary << "\nScan this QR code with the authenticator app, or type the secret in:\n\n"
          << qr << std::endl;
  wipeString(summary);
  wipeString(qr);
  if (!options.qrPng.empty()) {
    std::string error;
    if (!writeQrPng(std::string_view(result.uri), options.qrPng, &error)) {
      return fail(ctx, kExitFailed, error + "; " + pendingHint(options.user, result.credentialId));
    }
    ctx.out << "QR code written to " << options.qrPng
            << " (mode 0600). It holds the secret: delete it once it has been scanned.\n\n";
  }
  if (result.state != "pending") {
    ctx.out << "Credential " << result.credentialId << " of " << options.user << " is active.\n";
    return kExitOk;
  }
  return confirmCredential(ctx, options.user, result.credentialId, std::nullopt);
}

int runEnrollTotp(Context& ctx, const EnrollOptions& options) {
  std::error_code ec;
  if (!options.qrPng.empty() && std::filesystem::symlink_status(options.qrPng, ec).type() !=
                                    std::filesystem::file_type::not_found) {
    return fail(ctx, kExitUsage,
                "refusing to overwrite existing file \"" + options.qrPng +
                    "\" (--qr-png writes a secret; choose a new file name)");
  }
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, enrollRequest(options), &exitCode);
  if (!response) return exitCode;
  std::string error;
  auto result = parseEnrollResult(*response, &error);
  if (!result) {
    wipeJsonString(*response, "secret");
    wipeJsonString(*response, "uri");
    return fail(ctx, kExitFailed,
                "authd sent an invalid enroll_totp answer (" + error +
                    "); find the new credential with 'authctl list " + options.user +
                    "' and revoke it");
  }
  if (ctx.options.json) return finishJson(ctx, *response, *result, options);
  wipeJsonString(*response, "secret");
  wipeJsonString(*response, "uri");
  return finishText(ctx, *result, options);
}

}  // namespace

EnrollResult::~EnrollResult() {
  wipeString(secret);
  wipeString(uri);
}

std::optional<EnrollResult> parseEnrollResult(const nlohmann::json& response, std::string* error) {
  ResponseReader reader(response);
  EnrollResult result;
  result.credentialId = reader.integer("credential_id", 0, (std::int64_t{1} << 53) - 1);
  result.state = reader.text("state", 16);
  result.secret = reader.text("secret", kMaxOtpauthSecretChars);
  result.uri = reader.text("uri", kMaxOtpauthUriBytes);
  if (reader.failed()) {
    *error = reader.error();
    return std::nullopt;
  }
  if (result.state != "pending" && result.state != "active") {
    *error = "unknown state \"" + result.state + "\"";
    return std::nullopt;
  }
  auto parsed = parseOtpauthUri(result.uri, error);
  if (!parsed) {
    *error = "uri: " + *error;
    return std::nullopt;
  }
  if (parsed->secret != result.secret) {
    *error = "uri and secret differ";
    return std::nullopt;
  }
  result.parsedUri = std::move(*parsed);
  return result;
}

std::string groupSecret(std::string_view secret) {
  std::string out;
  out.reserve(secret.size() + secret.size() / 4);
  for (std::size_t i = 0; i < secret.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += secret[i];
  }
  return out;
}

std::string formatEnrollSummary(const std::string& user, const EnrollResult& result) {
  const OtpauthUri& uri = result.parsedUri;
  std::string grouped = groupSecret(result.secret);
  ScopedWipe wipeGrouped(grouped);
  std::string out;
  out.reserve(512 + grouped.size() + result.uri.size());
  out += "Created TOTP credential " + std::to_string(result.credentialId) + " for " + user +
         (result.state == "pending" ? " (pending until confirmed).\n\n" : " (active).\n\n");
  out += "Secret:  ";
  out += grouped;
  out += "\n         (time-based, " + std::string(otpAlgorithmUriName(uri.algorithm)) + ", " +
         std::to_string(uri.digits) + " digits, " + std::to_string(uri.period) +
         " s period; shown only this once)\n";
  out += "URI:     ";
  out += result.uri;
  out += '\n';
  return out;
}

void wipeJsonString(nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return;
  auto it = object.find(key);
  if (it != object.end() && it->is_string()) wipeString(it->get_ref<std::string&>());
}

Runner setupEnroll(CLI::App& sub) {
  sub.require_subcommand(1);
  CLI::App* totp = sub.add_subcommand("totp", "enrol an authenticator app (TOTP, RFC 6238)");
  auto options = std::make_shared<EnrollOptions>();
  totp->add_option("USER", options->user, "account name")->required()->check(userNameValidator());
  totp->add_option("--label", options->label, "name of the credential (default authenticator)")
      ->check(labelValidator());
  totp->add_option("--digits", options->digits, "code length (default: authd's totp.digits)")
      ->check(CLI::IsMember({6, 8}));
  totp->add_option("--algorithm", options->algorithm, "HMAC hash (default: authd's setting)")
      ->check(CLI::IsMember({"sha1", "sha256", "sha512"}));
  totp->add_flag("--no-confirm", options->noConfirm,
                 "activate at once, without a code from the app");
  totp->add_option("--qr-png", options->qrPng, "also write the QR code to this new PNG file");
  CLI::App* fido2 = sub.add_subcommand("fido2", "enrol a FIDO2 security key (plugged in here)");
  Runner runFido2 = setupEnrollFido2(*fido2);
  return [options, fido2, runFido2](Context& ctx) {
    return fido2->parsed() ? runFido2(ctx) : runEnrollTotp(ctx, *options);
  };
}

}  // namespace authd::cli
