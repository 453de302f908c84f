// Webhooks of the change feed (issue 13, part 4): every change (federation/changes.h) is POSTed
// to each configured webhook (config `webhooks:`) whose `events` list includes its type.
//
// Wire format: a structured-mode CloudEvents 1.0 JSON event,
//   Content-Type: application/cloudevents+json
//   {"specversion":"1.0", "id":"<seq>", "source":"<public URL>", "type":"dev.mcpreg.<type>",
//    "subject":"<name>" or "<name>@<version>", "time":"<RFC 3339>",
//    "datacontenttype":"application/json", "data": <the change object of GET .../changes>}
// `id` is the change's sequence number: stable across retries and restarts, so a receiver
// de-duplicates by it. Signed per Standard Webhooks (https://www.standardwebhooks.com) when the
// webhook has a `secret_file`:
//   webhook-id: <seq>   webhook-timestamp: <unix seconds of this attempt>
//   webhook-signature: v1,<base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))>
// The key: a secret file holding `whsec_<base64>` (the Standard Webhooks form) is the base64
// decoded bytes; any other content is used as raw bytes with one trailing newline ("\n" or
// "\r\n") removed. A file must hold 1..kMaxSecretBytes bytes.
//
// Delivery (one thread per webhook, never an I/O thread or a write worker): in commit order,
// one change at a time; a change is retried until the receiver answers 2xx, so a later change
// never overtakes an undelivered earlier one (at-least-once: a receiver may see a change again
// after a crash between its 2xx and the recorded cursor). Any other answer, a redirect, or no
// answer within the outbound deadlines (config `outbound:` connect/total timeouts) is a failed
// attempt; the next one waits 1 s, doubling per attempt up to retry_max_seconds (300). A change
// still failing give_up_seconds (24 h) after its first failed attempt is given up: counted in
// `abandoned`, named in last_error, and delivery moves on. The state (Store::WebhookDelivery:
// cursor, attempts, last status/error, next attempt) is written to the store after every
// attempt, so a restart resumes where it left off. A webhook seen for the first time starts at
// the newest change (history is not replayed).
//
// Destinations are operator config: loopback URLs (127.0.0.0/8, ::1, localhost) are always
// allowed; other addresses pass the SSRF guard (transport/ssrf_guard.h), i.e. private and
// link-local ones only with outbound.allow_private_addresses. Redirects are not followed.
//
// Webhooks receive every change, including those governed mode withholds from public reads:
// the receivers are the operator's own.
//
// Thread-safety: the free functions are pure; WebhookDispatcher's methods are called from one
// controlling thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.h"
#include "federation/changes.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"
#include "mcpreg/store.h"

namespace mcpreg::federation {

inline constexpr size_t kMaxSecretBytes = 4096;

// The HMAC key in a secret file's contents (see above). Errors: InvalidArgument (empty, too
// long, or "whsec_" followed by invalid base64).
Result<std::string> DecodeWebhookSecret(std::string_view file_contents);
// "v1," + base64(HMAC-SHA256(key, msg_id + "." + timestamp + "." + body)).
std::string WebhookSignature(std::string_view key, std::string_view msg_id, int64_t timestamp,
                             std::string_view body);
// The CloudEvent for `c` (see above); `source` is the registry's public URL.
std::string CloudEventJson(const Change& c, std::string_view source);

// One configured webhook, ready to deliver to.
struct WebhookTarget {
  std::string url;
  std::set<ChangeType> events;  // empty = every type
  std::string key;              // HMAC key; "" = unsigned
  std::chrono::seconds retry_initial{1};
  std::chrono::seconds retry_max{300};
  std::chrono::seconds give_up{24 * 3600};
  bool Wants(ChangeType t) const { return events.empty() || events.count(t) > 0; }
};
// Reads every secret file. Errors: InvalidArgument naming the webhook and file.
Result<std::vector<WebhookTarget>> WebhookTargetsFrom(
    const std::vector<config::WebhookConfig>& config);
// The wait before attempt number `attempts` + 1 after `attempts` failures (>= 1).
std::chrono::seconds RetryDelay(const WebhookTarget& t, int64_t attempts);

struct WebhookOptions {
  std::string source;  // CloudEvents `source`: the registry's public URL
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
  bool allow_private_addresses = false;
  std::chrono::milliseconds idle_poll{250};  // how often an idle webhook looks for changes
};

class WebhookDispatcher {
 public:
  // `store` and `clock` must outlive the dispatcher. Starts nothing yet.
  WebhookDispatcher(Store& store, std::vector<WebhookTarget> targets, WebhookOptions options,
                    const Clock& clock = SystemClock::Instance());
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Gives every target seen for the first time its state row, cursor at the newest change, so
  // changes committed after this call are delivered. Call before the registry accepts writes.
  // Errors: the store's (a target left without state is set up by its thread later).
  Status Prepare();
  // Starts one delivery thread per target; `source` is the CloudEvents source (the registry's
  // public URL), known once the listener is bound.
  void Start(std::string source);
  // Stops the threads: an attempt in flight finishes (bounded by total_timeout) and is
  // recorded. Idempotent.
  void Stop();

 private:
  void Run(const WebhookTarget& target);
  // The stored state of `target`, created (cursor = newest change) when there is none.
  Result<Store::WebhookDelivery> LoadOrCreate(const WebhookTarget& target);
  // Sleeps up to `d`; false when stopping.
  bool Sleep(std::chrono::milliseconds d);

  Store& store_;
  const std::vector<WebhookTarget> targets_;
  WebhookOptions options_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// `mcpreg webhooks status`: one line per configured webhook —
// "<url> delivered-through=<seq> pending=<n> attempts=<n> abandoned=<n> last-error=<text|->"
// (pending counts matching changes after the cursor, up to kMaxScanEntries, then "N+").
// Errors: the store's.
Result<std::vector<std::string>> WebhookStatusLines(Store& store,
                                                    const std::vector<WebhookTarget>& targets);

}  // namespace mcpreg::federation
