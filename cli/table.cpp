#include "cli/table.h"

#include <algorithm>

namespace authd::cli {

namespace {

std::size_t displayWidth(const std::string& text) {
  // UTF-8 continuation bytes (10xxxxxx) do not start a new character.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void appendRow(std::string* out, const TableRow& row, const std::vector<std::size_t>& widths) {
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::string& cell = i < row.size() ? row[i] : std::string();
    *out += cell;
    if (i + 1 < widths.size()) out->append(widths[i] - displayWidth(cell) + 2, ' ');
  }
  // Empty cells at the end of the row would leave trailing spaces.
  while (!out->empty() && out->back() == ' ') out->pop_back();
  *out += '\n';
}

}  // namespace

std::string formatTable(const TableRow& header, const std::vector<TableRow>& rows) {
  std::vector<std::size_t> widths(header.size(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) widths[i] = displayWidth(header[i]);
  for (const TableRow& row : rows) {
    for (std::size_t i = 0; i < widths.size() && i < row.size(); ++i) {
      widths[i] = std::max(widths[i], displayWidth(row[i]));
    }
  }
  std::string out;
  appendRow(&out, header, widths);
  for (const TableRow& row : rows) appendRow(&out, row, widths);
  return out;
}

}  // namespace authd::cli
