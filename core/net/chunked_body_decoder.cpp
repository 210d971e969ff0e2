#include "core/net/chunked_body_decoder.h"

namespace hw {
namespace {

constexpr size_t kMaxSizeLine = 1024;     // hex size plus chunk extensions
constexpr size_t kMaxTrailerBytes = 8192;
constexpr uint64_t kMaxChunkSize = uint64_t(1) << 62; // beyond any real body: a wrap attempt

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

ChunkedBodyDecoder::ChunkedBodyDecoder(uint64_t maxBodyBytes) : m_maxBody(maxBodyBytes) {}

ChunkedBodyDecoder::Status ChunkedBodyDecoder::fail(int status, std::string message)
{
    m_state = State::Failed;
    m_error = {status, std::move(message)};
    return Status::Failed;
}

ChunkedBodyDecoder::Status ChunkedBodyDecoder::decode(std::string_view buf)
{
    for (;;) {
        switch (m_state) {
        case State::Done:
            return Status::Done;
        case State::Failed:
            return Status::Failed;
        case State::Size: {
            const size_t eol = buf.find("\r\n", m_pos);
            if (eol == std::string_view::npos) {
                if (buf.size() - m_pos > kMaxSizeLine)
                    return fail(400, "chunk size line too long");
                return Status::NeedMore;
            }
            const std::string_view line = buf.substr(m_pos, eol - m_pos);
            if (line.size() > kMaxSizeLine)
                return fail(400, "chunk size line too long");
            size_t digits = 0;
            uint64_t size = 0;
            while (digits < line.size() && hexValue(line[digits]) >= 0) {
                if (digits == 16)
                    return fail(400, "chunk size out of range");
                size = size * 16 + static_cast<uint64_t>(hexValue(line[digits]));
                ++digits;
            }
            if (digits == 0)
                return fail(400, "invalid chunk size");
            // After the digits only chunk extensions (";name=value") may follow.
            const std::string_view rest = line.substr(digits);
            if (!rest.empty() && rest.front() != ';')
                return fail(400, "invalid chunk size");
            for (const unsigned char c : rest)
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                    return fail(400, "control character in a chunk extension");
            if (size >= kMaxChunkSize)
                return fail(400, "chunk size out of range");
            if (size > m_maxBody - m_body.size())
                return fail(413, "chunked request body larger than the limit of " + std::to_string(m_maxBody)
                                     + " bytes");
            m_pos = eol + 2;
            m_chunk = size;
            m_state = size == 0 ? State::Trailer : State::Data;
            break;
        }
        case State::Data:
            if (buf.size() < m_pos + m_chunk + 2)
                return Status::NeedMore;
            if (buf.substr(m_pos + m_chunk, 2) != "\r\n")
                return fail(400, "chunk data not followed by CRLF");
            m_body.append(buf.substr(m_pos, m_chunk));
            m_pos += m_chunk + 2;
            m_state = State::Size;
            break;
        case State::Trailer: {
            // Trailer fields are read and dropped (none is meaningful to us), up to an empty line.
            const size_t eol = buf.find("\r\n", m_pos);
            if (eol == std::string_view::npos) {
                if (m_trailerBytes + (buf.size() - m_pos) > kMaxTrailerBytes)
                    return fail(431, "chunked trailer too large");
                return Status::NeedMore;
            }
            const std::string_view line = buf.substr(m_pos, eol - m_pos);
            m_trailerBytes += line.size() + 2;
            if (m_trailerBytes > kMaxTrailerBytes)
                return fail(431, "chunked trailer too large");
            for (const unsigned char c : line)
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                    return fail(400, "control character in a chunked trailer");
            m_pos = eol + 2;
            if (line.empty())
                m_state = State::Done;
            else if (line.find(':') == std::string_view::npos || line.front() == ' ' || line.front() == '\t')
                return fail(400, "malformed chunked trailer line");
            break;
        }
        }
    }
}

} // namespace hw
