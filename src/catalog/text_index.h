// TextIndex: a trigram index over lowercased search texts ("docs"), used by the catalog to
// answer free-text search without scanning every entry.
//
// Docs are deduplicated by text and reference counted: versions of one server usually share
// name, title and description, so ~30K versions map to ~10K docs. Postings are sorted vectors
// of doc ids per trigram (3 bytes). Candidates() returns a superset of the matching docs;
// callers verify each candidate with Contains().
//
// Thread-safety: none; the catalog guards it with its shared_mutex (const methods may run
// concurrently with each other).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mcpreg::catalog {

// ASCII-lowercases `s` (other bytes, e.g. UTF-8 sequences, are kept as is).
std::string AsciiLower(std::string_view s);
// Splits a search string on ASCII whitespace into lowercased, de-duplicated words.
std::vector<std::string> SearchWords(std::string_view search);

class TextIndex {
 public:
  // Returns the id of the doc with exactly `lowered_text`, adding it (and its trigrams) when
  // new; each call takes one reference. Ids are dense and reused after release.
  uint32_t Acquire(std::string_view lowered_text);
  // Drops one reference; the doc and its postings go away with the last one.
  void Release(uint32_t doc);

  // True when every word is a substring of the doc's text. REQUIRES: words lowercased.
  bool Contains(uint32_t doc, const std::vector<std::string>& words) const;

  // Narrows `words` to candidate docs (ascending ids, a superset of the matches). Returns false
  // when the index cannot narrow usefully: no word has 3+ bytes, or the candidates would be
  // more than `max_candidates` (the caller should scan in order instead). An empty `out` with
  // true means nothing can match.
  bool Candidates(const std::vector<std::string>& words, size_t max_candidates,
                  std::vector<uint32_t>& out) const;

  size_t doc_count() const { return by_text_.size(); }
  // Upper bound of doc ids handed out so far (for sizing per-doc arrays).
  size_t id_limit() const { return docs_.size(); }

 private:
  struct Doc {
    std::string text;
    uint32_t refs = 0;
  };
  static void Trigrams(std::string_view text, std::vector<uint32_t>& out);

  std::deque<Doc> docs_;  // deque: stable addresses, so by_text_ can key on views of text
  std::vector<uint32_t> free_ids_;
  std::unordered_map<std::string_view, uint32_t> by_text_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> postings_;  // trigram -> sorted doc ids
};

}  // namespace mcpreg::catalog
