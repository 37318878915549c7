-- GET /v1/enforcement/can, rotating a delisted target (denied), a clean
-- target of the same subject (allowed) and three capabilities.
package.path = (os.getenv("BENCH_DIR") or "bench/server") .. "/?.lua;" .. package.path
local c = require("common")

local requests = {}
for _, target in ipairs({ "mp-bench-sanctioned", "mp-bench-clean" }) do
  for _, cap in ipairs({ "searchable", "new-installs", "payment" }) do
    requests[#requests + 1] = wrk.format("GET",
      "/v1/enforcement/can?target=" .. target .. "&capability=" .. cap,
      { ["Authorization"] = "Bearer " .. c.token })
  end
end

local i = 0
function request()
  i = i % #requests + 1
  return requests[i]
end
