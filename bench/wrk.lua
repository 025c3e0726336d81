-- wrk script for `make bench`: one endpoint, the contract's headers, tokens rotating across
-- contacts. Arguments (after `--`): method, path, operation, tokens file ("-" for none),
-- body file ("-" for none). A line of the tokens file may carry, after a tab, the If-None-Match
-- to send with that token. Prints one JSON line of results at the end.

local requests = {}
local index = 0

local function read_file(name)
  local file = assert(io.open(name, "r"))
  local text = file:read("*a")
  file:close()
  return text
end

function init(args)
  local method, path, operation, tokens_file, body_file = args[1], args[2], args[3], args[4], args[5]
  local body = nil
  local headers = {
    -- What production's TLS proxy adds (settings: SECURE_PROXY_SSL_HEADER), else a redirect.
    ["X-Forwarded-Proto"] = "https",
    ["correlationId"] = "123e4567-e89b-12d3-a456-426614174000",
    ["source"] = "Selfcare",
    ["srDate"] = "11-09-2021",
    ["operation"] = operation,
    ["destination"] = "CRM",
  }
  if body_file ~= "-" then
    body = read_file(body_file)
    headers["Content-Type"] = "application/json"
  end
  if tokens_file == "-" then
    requests[1] = wrk.format(method, path, headers, body)
    return
  end
  for line in io.lines(tokens_file) do
    local token, tag = line:match("^([^\t]*)\t(.*)$")
    headers["token"] = token or line
    headers["If-None-Match"] = tag
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
