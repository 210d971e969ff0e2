#pragma once
#include <stdexcept>
#include <string>

namespace hw {

// Every error core reports to its callers. The message is meant for the user as is:
// it names the file and line, the request, or the object that was wrong.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A long operation was stopped through its StopToken; not a failure.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace hw
