#pragma once
// Decodes a chunked request body incrementally (RFC 9112 section 7.1), bounded in size, so that
// the body cpp-httplib sees is already whole and its length known. Refuses, rather than guesses:
// a chunk size that is not hex, has more than 16 digits or does not fit the body limit, data not
// followed by CRLF, bare CR or LF in size lines and trailers, oversized trailers.
//
//   ChunkedBodyDecoder d(limit);
//   for (;;) { buffer += more(); auto s = d.decode(buffer); if (s != Status::NeedMore) break; }
//   // Done: d.body() is the body; d.consumed() bytes of buffer belonged to it.
#include "core/net/request_framing.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace hw {

class ChunkedBodyDecoder {
public:
    enum class Status { NeedMore, Done, Failed };

    explicit ChunkedBodyDecoder(uint64_t maxBodyBytes);

    // `buffer` holds every byte after the head received so far (the same prefix each call,
    // growing). Work already done is not repeated, so a body trickled in one byte at a time costs
    // linear time.
    Status decode(std::string_view buffer);

    const std::string& body() const { return m_body; }
    std::string takeBody() { return std::move(m_body); }
    size_t consumed() const { return m_pos; }      // bytes of buffer used, once Done
    const FramingError& error() const { return m_error; }

private:
    Status fail(int status, std::string message);

    enum class State { Size, Data, Trailer, Done, Failed };
    State m_state = State::Size;
    uint64_t m_maxBody;
    uint64_t m_chunk = 0;                 // size of the chunk being read
    size_t m_pos = 0;                     // parsed up to here
    size_t m_trailerBytes = 0;
    std::string m_body;
    FramingError m_error;
};

} // namespace hw
