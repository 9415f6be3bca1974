#pragma once
// Plain-text tables for the terminal: left-aligned columns separated by two spaces.

#include <string>
#include <vector>

namespace authd::cli {

using TableRow = std::vector<std::string>;

// Every row must have the header's number of cells. Widths count UTF-8 code points, so names
// with accents stay aligned. The last column is not padded (no trailing spaces).
std::string formatTable(const TableRow& header, const std::vector<TableRow>& rows);

}  // namespace authd::cli
