#include "catalog/text_index.h"

#include <algorithm>

namespace mcpreg::catalog {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> SearchWords(std::string_view search) {
  std::vector<std::string> words;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < search.size()) {
    while (i < search.size() && space(search[i])) ++i;
    size_t start = i;
    while (i < search.size() && !space(search[i])) ++i;
    if (i > start) {
      std::string w = AsciiLower(search.substr(start, i - start));
      if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(std::move(w));
    }
  }
  return words;
}

void TextIndex::Trigrams(std::string_view text, std::vector<uint32_t>& out) {
  out.clear();
  for (size_t i = 0; i + 3 <= text.size(); ++i) {
    out.push_back(static_cast<uint32_t>(static_cast<unsigned char>(text[i])) << 16 |
                  static_cast<uint32_t>(static_cast<unsigned char>(text[i + 1])) << 8 |
                  static_cast<unsigned char>(text[i + 2]));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

uint32_t TextIndex::Acquire(std::string_view lowered_text) {
  if (auto it = by_text_.find(lowered_text); it != by_text_.end()) {
    ++docs_[it->second].refs;
    return it->second;
  }
  uint32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<uint32_t>(docs_.size());
    docs_.emplace_back();
  }
  Doc& d = docs_[id];
  d.text = std::string(lowered_text);
  d.refs = 1;
  by_text_.emplace(d.text, id);
  std::vector<uint32_t> grams;
  Trigrams(d.text, grams);
  for (uint32_t g : grams) {
    auto& list = postings_[g];
    // New ids are usually the largest; reused ids need a sorted insert.
    if (list.empty() || list.back() < id) {
      list.push_back(id);
    } else {
      list.insert(std::lower_bound(list.begin(), list.end(), id), id);
    }
  }
  return id;
}

void TextIndex::Release(uint32_t doc) {
  Doc& d = docs_[doc];
  if (--d.refs > 0) return;
  std::vector<uint32_t> grams;
  Trigrams(d.text, grams);
  for (uint32_t g : grams) {
    auto it = postings_.find(g);
    if (it == postings_.end()) continue;
    auto& list = it->second;
    auto pos = std::lower_bound(list.begin(), list.end(), doc);
    if (pos != list.end() && *pos == doc) list.erase(pos);
    if (list.empty()) postings_.erase(it);
  }
  by_text_.erase(d.text);
  d.text = std::string();  // free the memory; the id is reused later
  free_ids_.push_back(doc);
}

bool TextIndex::Contains(uint32_t doc, const std::vector<std::string>& words) const {
  std::string_view text = docs_[doc].text;
  for (const auto& w : words) {
    if (text.find(w) == std::string_view::npos) return false;
  }
  return true;
}

bool TextIndex::Candidates(const std::vector<std::string>& words, size_t max_candidates,
                           std::vector<uint32_t>& out) const {
  out.clear();
  std::vector<uint32_t> grams, all;
  for (const auto& w : words) {
    Trigrams(w, grams);
    all.insert(all.end(), grams.begin(), grams.end());
  }
  if (all.empty()) return false;
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<const std::vector<uint32_t>*> lists;
  for (uint32_t g : all) {
    auto it = postings_.find(g);
    if (it == postings_.end()) return true;  // a trigram no doc has: no match at all
    lists.push_back(&it->second);
  }
  std::sort(lists.begin(), lists.end(), [](auto* a, auto* b) { return a->size() < b->size(); });
  // Even the rarest trigram is everywhere: an in-order scan finds a page faster.
  if (lists.front()->size() > 2 * max_candidates) return false;
  out = *lists.front();
  // Candidates are only a prefilter: every one is verified with Contains() (a memchr-driven
  // find per word over a short text), which costs about what a few binary searches of it in
  // a posting list cost. Past the two next-rarest trigrams, intersecting rarely narrows and
  // mostly repeats work Contains() does anyway (perf: "incident response" spent 5% of the
  // server in these binary searches while the rarest list alone held exactly the matches).
  // Further lists are used only while the candidates are still too many for the index path.
  constexpr size_t kMaxIntersections = 2;
  for (size_t i = 1; i < lists.size() && !out.empty(); ++i) {
    if (i > kMaxIntersections && out.size() <= max_candidates) break;
    const auto& other = *lists[i];
    // Binary-search the (short) candidate list against each longer posting list.
    auto lo = other.begin();
    size_t keep = 0;
    for (uint32_t id : out) {
      lo = std::lower_bound(lo, other.end(), id);
      if (lo == other.end()) break;
      if (*lo == id) out[keep++] = id;
    }
    out.resize(keep);
  }
  if (out.size() > max_candidates) {
    out.clear();
    return false;
  }
  return true;
}

}  // namespace mcpreg::catalog
