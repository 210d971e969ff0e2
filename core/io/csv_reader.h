#pragma once
#include <string>
#include <vector>

namespace hw {

// One CSV record and the 1-based line it starts on (records may span lines inside quotes).
struct CsvRecord {
    int line = 0;
    std::vector<std::string> fields;
};

// RFC 4180 reader: comma separated, fields optionally in double quotes, "" is a quote inside a
// quoted field, quoted fields may hold commas and line breaks; records end in CRLF, LF or CR.
// A UTF-8 byte order mark is skipped and blank lines are ignored. A quote inside an unquoted field
// is kept as text (common in real files). Errors are hw::Error "NAME:LINE: reason"; a NUL byte
// in a field and a record over import_limits::kMaxLineBytes are errors too.
class CsvReader {
public:
    // name is what errors call the input (usually the file path).
    CsvReader(std::string text, std::string name);
    static CsvReader fromFile(const std::string& path);

    // Reads the next record; false at the end of the input.
    bool next(CsvRecord& record);

    const std::string& name() const { return m_name; }
    size_t position() const { return m_pos; }
    size_t size() const { return m_text.size(); }

private:
    [[noreturn]] void fail(int line, const std::string& reason) const;
    bool atLineEnd() const;
    void consumeLineEnd();

    std::string m_text;
    std::string m_name;
    size_t m_pos = 0;
    int m_line = 1;
};

// Column lookup by header name.
class CsvHeader {
public:
    CsvHeader() = default;
    explicit CsvHeader(CsvRecord header, std::string fileName);
    // Index of the column, or -1.
    int find(const std::string& column) const;
    // Index of the column, or hw::Error "FILE:LINE: missing column 'NAME'".
    int require(const std::string& column) const;
    size_t size() const { return m_record.fields.size(); }
    const std::vector<std::string>& names() const { return m_record.fields; }
    // hw::Error "FILE:LINE: expected N fields, found M" unless the record has one field per column.
    void checkWidth(const CsvRecord& record) const;

private:
    CsvRecord m_record;
    std::string m_file;
};

} // namespace hw
