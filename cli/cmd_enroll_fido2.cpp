// authctl enroll fido2 USER [--label L] [--resident] [--uv required|preferred|discouraged] [--pin]
//                           [--algorithm es256|eddsa|rs256]

#include "cli/cmd_enroll_fido2.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <ostream>

#include "cli/fido2_pin.h"
#include "cli/response_reader.h"

namespace authd::cli {

namespace {

constexpr std::size_t kMaxKeys = 16;
constexpr std::chrono::seconds kMaxTouchWait{120};

struct EnrollFido2Options {
  std::string user;
  std::string label;
  bool resident = false;
  std::optional<std::string> uv;
  bool pin = false;
  std::optional<std::string> algorithm;
};

struct NamedAlgorithm {
  std::string_view name;
  int cose;
};
constexpr NamedAlgorithm kAlgorithms[] = {{"es256", -7}, {"eddsa", -8}, {"rs256", -257}};

// Enrolment must know which key it enrols: exactly one may be plugged. Checked before authd is
// asked for a challenge, so a missing key costs nothing.
int checkOneKey(Context& ctx, const Fido2Manifest& manifest, std::string_view user) {
  fido_dev_info_t* list = fido_dev_info_new(kMaxKeys);
  if (list == nullptr) return fail(ctx, kExitFailed, "out of memory listing security keys");
  std::size_t found = 0;
  const int rc = manifest(list, kMaxKeys, &found);
  fido_dev_info_free(&list, kMaxKeys);
  if (rc != FIDO_OK) {
    return fail(ctx, kExitFailed, std::string("cannot list security keys: ") + fido_strerr(rc));
  }
  if (found == 0) {
    return fail(ctx, kExitFailed, describeFido2Failure(Fido2Failure::noDevice, "", user));
  }
  if (found > 1) {
    return fail(ctx, kExitFailed,
                std::to_string(found) + " security keys are plugged in: unplug all but the one " +
                    "to enrol for " + std::string(user) + " and run the command again");
  }
  return kExitOk;
}

Fido2RegisterOptions registerOptions(const EnrollFido2Options& options) {
  Fido2RegisterOptions request;
  request.user = options.user;
  request.label = options.label;
  request.resident = options.resident;
  if (options.uv) request.uv = uvPolicyFrom(*options.uv);
  return request;
}

// In --json mode standard output carries only the result: prompts and notices go to stderr.
Context dialogueContext(Context& ctx) {
  return Context{ctx.options, ctx.transport,   ctx.in,  ctx.options.json ? ctx.err : ctx.out,
                 ctx.err,     ctx.interactive, ctx.now, ctx.fido2Manifest};
}

Fido2RegistrationOutcome touchKey(Context& dialogue, const Fido2DeviceOptions& device,
                                  Fido2RegistrationChallenge challenge, int algorithm,
                                  const EnrollFido2Options& options) {
  // --pin: verify the user on the key now, even where authd does not demand it.
  if (options.pin) challenge.uv = UvPolicy::required;
  Fido2MakeCredentialOptions make;
  make.algorithm = algorithm;
  if (challenge.uv == UvPolicy::required) make.newPin = newPinDialogue(dialogue);
  const std::string& user = options.user;
  Notice notice = [&dialogue, &user](std::string_view text) {
    if (text == kTouchPrompt) {
      dialogue.out << "Touch your security key now to enrol it for " << user << "." << std::endl;
    } else {
      dialogue.out << printable(text) << std::endl;
    }
  };
  return makeFido2Credential(device, challenge, make, keyPinPrompt(dialogue), notice);
}

int finishRegistration(Context& ctx, const std::string& user, const Fido2Attestation& made) {
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, fido2RegisterFinishRequest(user, made), &exitCode);
  if (!response) return exitCode;
  auto registered = parseFido2RegisterFinishResponse(*response);
  if (!registered.ok()) {
    return fail(ctx, kExitFailed,
                "authd sent an invalid fido2_register_finish answer (" +
                    printable(registered.error.message) + "); check 'authctl list " + user + "'");
  }
  if (ctx.options.json) {
    printJson(ctx, resultFields(*response));
  } else {
    ctx.out << formatFido2Enrolled(user, *registered.answer);
  }
  return kExitOk;
}

int runEnrollFido2(Context& ctx, const EnrollFido2Options& options) {
  Fido2DeviceOptions device;
  device.manifest = ctx.fido2Manifest ? ctx.fido2Manifest : systemFido2Manifest();
  device.maxDevices = kMaxKeys;
  device.touchTimeout = kMaxTouchWait;  // the device layer also stops at the challenge's expiry
  if (int code = checkOneKey(ctx, device.manifest, options.user); code != kExitOk) return code;
  int exitCode = kExitOk;
  auto response = callAuthd(ctx, fido2RegisterBeginRequest(registerOptions(options)), &exitCode);
  if (!response) return exitCode;
  auto challenge = parseFido2RegisterBeginResponse(*response);
  if (!challenge.ok()) {
    return fail(
        ctx, kExitFailed,
        "authd sent an invalid fido2_register_begin answer: " + printable(challenge.error.message));
  }
  std::string error;
  auto algorithm = chooseAlgorithm(options.algorithm, challenge.answer->algorithms, &error);
  if (!algorithm) return fail(ctx, kExitFailed, error);
  Context dialogue = dialogueContext(ctx);
  auto made = touchKey(dialogue, device, *challenge.answer, *algorithm, options);
  if (!made.attestation) {
    return fail(ctx, kExitFailed, describeFido2Failure(made.failure, made.message, options.user));
  }
  return finishRegistration(ctx, options.user, *made.attestation);
}

}  // namespace

std::optional<int> coseAlgorithmFromName(std::string_view name) {
  for (const auto& algorithm : kAlgorithms) {
    if (algorithm.name == name) return algorithm.cose;
  }
  return std::nullopt;
}

std::string coseAlgorithmName(std::int64_t cose) {
  for (const auto& algorithm : kAlgorithms) {
    if (algorithm.cose == cose) return std::string(algorithm.name);
  }
  return "cose:" + std::to_string(cose);
}

std::optional<int> chooseAlgorithm(const std::optional<std::string>& requested,
                                   const std::vector<int>& allowed, std::string* error) {
  if (allowed.empty()) {
    *error = "authd offered no key algorithm";
    return std::nullopt;
  }
  auto isAllowed = [&allowed](int cose) {
    return std::find(allowed.begin(), allowed.end(), cose) != allowed.end();
  };
  if (requested) {
    auto cose = coseAlgorithmFromName(*requested);
    if (cose && isAllowed(*cose)) return cose;
    std::string names;
    for (int a : allowed) names += (names.empty() ? "" : ", ") + coseAlgorithmName(a);
    *error = "authd does not accept " + *requested + " keys (it accepts " + names + ")";
    return std::nullopt;
  }
  return isAllowed(-7) ? -7 : allowed.front();
}

std::string describeFido2Failure(Fido2Failure failure, std::string_view detail,
                                 std::string_view user) {
  const std::string who(user);
  switch (failure) {
    case Fido2Failure::noDevice:
      return "no security key found: plug in the key to enrol for " + who +
             " and run the command again";
    case Fido2Failure::pinRequired:
      return "the security key needs its PIN and none was entered; nothing was enrolled";
    case Fido2Failure::pinInvalid:
      return "wrong PIN for the security key; nothing was enrolled (the key blocks its PIN after "
             "too many wrong tries)";
    case Fido2Failure::pinBlocked:
      return "the security key's PIN is blocked after too many wrong PINs: unplug and replug the "
             "key, or, when it has no tries left, reset it (this erases its credentials)";
    case Fido2Failure::noPinSet:
      return "the security key has no PIN but user verification is required: set one (accept "
             "authctl's offer, or use fido2-token -S), or enrol with --uv preferred";
    case Fido2Failure::excluded:
      return "this security key is already enrolled for " + who + " (see 'authctl list " + who +
             "')";
    case Fido2Failure::timeout:
      return "the security key was not touched in time; nothing was enrolled, run the command "
             "again";
    case Fido2Failure::none:
    case Fido2Failure::noMatchingKey:
    case Fido2Failure::device:
      break;
  }
  return "security key error: " +
         (detail.empty() ? std::string(toString(failure)) : printable(detail));
}

std::string formatFido2Enrolled(std::string_view user, const Fido2RegisteredAnswer& answer) {
  std::string out = "Enrolled a security key for " + std::string(user) + " as credential " +
                    std::to_string(answer.credentialId) + ".\n";
  out += "  FIDO2 id:     " + printable(answer.fido2Id) + "\n";
  out += "  AAGUID:       " + printable(answer.aaguid) + "\n";
  out += "  Attestation:  " + printable(answer.attestation) + " (format " + printable(answer.fmt) +
         ")\n";
  out += "  Algorithm:    " + coseAlgorithmName(answer.algorithm) + " (COSE " +
         std::to_string(answer.algorithm) + ")\n";
  return out;
}

Runner setupEnrollFido2(CLI::App& sub) {
  auto options = std::make_shared<EnrollFido2Options>();
  sub.add_option("USER", options->user, "account name")->required()->check(userNameValidator());
  sub.add_option("--label", options->label, "name of the credential (default security key)")
      ->check(labelValidator());
  sub.add_flag("--resident", options->resident, "store a discoverable (resident) credential");
  sub.add_option("--uv", options->uv, "user verification (PIN) at logon (default: authd's)")
      ->check(CLI::IsMember({"required", "preferred", "discouraged"}));
  sub.add_flag("--pin", options->pin, "verify with the key's PIN now (offers to set one)");
  sub.add_option("--algorithm", options->algorithm, "key algorithm (default es256)")
      ->check(CLI::IsMember({"es256", "eddsa", "rs256"}));
  return [options](Context& ctx) { return runEnrollFido2(ctx, *options); };
}

}  // namespace authd::cli
