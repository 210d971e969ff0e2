#include "core/io/csv_reader.h"

#include "core/io/import_limits.h"
#include "core/io/text_util.h"
#include "core/util/error.h"

namespace hw {

CsvReader::CsvReader(std::string text, std::string name) : m_text(std::move(text)), m_name(std::move(name))
{
    if (m_text.compare(0, 3, "\xEF\xBB\xBF") == 0)
        m_pos = 3;
}

CsvReader CsvReader::fromFile(const std::string& path) { return CsvReader(text::readFile(path), path); }

void CsvReader::fail(int line, const std::string& reason) const
{
    throw Error(m_name + ":" + std::to_string(line) + ": " + reason);
}

bool CsvReader::atLineEnd() const
{
    return m_pos < m_text.size() && (m_text[m_pos] == '\n' || m_text[m_pos] == '\r');
}

void CsvReader::consumeLineEnd()
{
    if (m_text[m_pos] == '\r' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '\n')
        ++m_pos;
    ++m_pos;
    ++m_line;
}

bool CsvReader::next(CsvRecord& record)
{
    // Blank lines carry no record.
    while (atLineEnd())
        consumeLineEnd();
    if (m_pos >= m_text.size())
        return false;

    record.line = m_line;
    record.fields.clear();
    const size_t n = m_text.size();
    const size_t recordStart = m_pos;
    while (true) {
        std::string field;
        if (m_pos < n && m_text[m_pos] == '"') {
            const int openedOn = m_line;
            ++m_pos;
            while (true) {
                if (m_pos >= n)
                    fail(openedOn, "unterminated quoted field (the file ends inside quotes)");
                const char c = m_text[m_pos];
                if (c == '"') {
                    if (m_pos + 1 < n && m_text[m_pos + 1] == '"') {
                        field += '"';
                        m_pos += 2;
                        continue;
                    }
                    ++m_pos;
                    break;
                }
                if (c == '\n' || (c == '\r' && !(m_pos + 1 < n && m_text[m_pos + 1] == '\n')))
                    ++m_line;
                field += c;
                ++m_pos;
            }
            if (m_pos < n && m_text[m_pos] != ',' && !atLineEnd())
                fail(m_line, std::string("unexpected character '") + m_text[m_pos]
                                 + "' after a closing quote (a quote inside a quoted field "
                                   "must be doubled)");
        } else {
            const size_t start = m_pos;
            while (m_pos < n && m_text[m_pos] != ',' && m_text[m_pos] != '\n' && m_text[m_pos] != '\r')
                ++m_pos;
            field.assign(m_text, start, m_pos - start);
        }
        if (field.find('\0') != std::string::npos)
            fail(m_line, "NUL byte in field " + std::to_string(record.fields.size() + 1)
                             + " (NUL characters are not allowed)");
        record.fields.push_back(std::move(field));
        if (m_pos - recordStart > import_limits::kMaxLineBytes)
            fail(record.line, "record longer than the limit of "
                                  + std::to_string(import_limits::kMaxLineBytes >> 20) + " MiB");
        if (m_pos >= n)
            return true;
        if (m_text[m_pos] == ',') {
            ++m_pos;
            continue;
        }
        consumeLineEnd();
        return true;
    }
}

// ---------------------------------------------------------------- CsvHeader

CsvHeader::CsvHeader(CsvRecord header, std::string fileName)
    : m_record(std::move(header)), m_file(std::move(fileName))
{
    for (auto& f : m_record.fields)
        f = text::trim(f);
}

int CsvHeader::find(const std::string& column) const
{
    for (size_t i = 0; i < m_record.fields.size(); ++i)
        if (m_record.fields[i] == column)
            return static_cast<int>(i);
    return -1;
}

int CsvHeader::require(const std::string& column) const
{
    const int i = find(column);
    if (i < 0)
        throw Error(m_file + ":" + std::to_string(m_record.line) + ": missing column '" + column + "'");
    return i;
}

void CsvHeader::checkWidth(const CsvRecord& record) const
{
    if (record.fields.size() != m_record.fields.size())
        throw Error(m_file + ":" + std::to_string(record.line) + ": expected "
                    + std::to_string(m_record.fields.size()) + " fields, found "
                    + std::to_string(record.fields.size()));
}

} // namespace hw
