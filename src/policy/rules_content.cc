// content.*: no samples, demos or templates published as servers, and a name/branding denylist.
//   content.sample    a word of `words` appears as a whole word in name or title, or a phrase
//                     of `phrases` appears (word-aligned) in name, title or description. Single
//                     words are not looked for in the description ("for example" is prose).
//   content.denylist  an entry of `names` is a case-insensitive substring of name or title.
#include <algorithm>

#include "model/server_json.h"
#include "policy/rules.h"

namespace mcpreg::policy::internal {
namespace {

// Word-aligned phrase search on space-normalized lower-case words.
bool HasPhrase(const std::vector<std::string>& words, const std::vector<std::string>& phrase) {
  if (phrase.empty() || phrase.size() > words.size()) return false;
  return std::search(words.begin(), words.end(), phrase.begin(), phrase.end()) != words.end();
}

}  // namespace

void CheckContent(const model::ServerJson& server, Sink& sink) {
  const Policy& policy = sink.policy();
  struct Field {
    const char* path;
    const std::string& text;
    bool words;
  };
  const Field fields[] = {{"name", server.name, true},
                          {"title", server.title, true},
                          {"description", server.description, false}};
  if (sink.On("content.sample")) {
    for (const Field& f : fields) {
      std::vector<std::string> words = Words(f.text);
      std::string hit;
      if (f.words) {
        for (const std::string& w : words) {
          if (IContains(policy.sample_words, w)) {
            hit = w;
            break;
          }
        }
      }
      for (size_t i = 0; hit.empty() && i < policy.sample_phrases.size(); ++i) {
        if (HasPhrase(words, Words(policy.sample_phrases[i]))) hit = policy.sample_phrases[i];
      }
      if (!hit.empty()) {
        sink.Add("content.sample", f.path,
                 "samples, demos and templates are not published as servers (\"" + hit + "\")");
      }
    }
  }
  if (sink.On("content.denylist")) {
    for (const Field& f : fields) {
      if (!f.words) continue;
      std::string text = Lower(f.text);
      for (const std::string& entry : policy.name_denylist) {
        std::string e = Lower(entry);
        if (!e.empty() && text.find(e) != std::string::npos) {
          sink.Add("content.denylist", f.path, "\"" + entry + "\" is on the name denylist");
          break;
        }
      }
    }
  }
}

}  // namespace mcpreg::policy::internal
