-- Shared by the wrk scripts: the key from $BYLAW_TOKEN, the data directory
-- from $BENCH_DIR, and a response check that counts non-2xx answers.
local M = {}

M.token = os.getenv("BYLAW_TOKEN") or ""
M.dir = os.getenv("BENCH_DIR") or "bench/server"

function M.lines(name)
  local out = {}
  local f = assert(io.open(M.dir .. "/" .. name, "r"))
  for l in f:lines() do
    if l ~= "" then out[#out + 1] = l end
  end
  f:close()
  return out
end

function M.slurp(name)
  local f = assert(io.open(name, "r"))
  local s = f:read("*a")
  f:close()
  return s
end

return M
