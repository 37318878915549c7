-- POST /v1/review, text-only JSON: the listings of examples/meeting-listing
-- (passes) and examples/meeting-bad (fails) with their privacy policies and
-- skip_images, alternately. run.sh writes the bodies to $BENCH_WORK.
package.path = (os.getenv("BENCH_DIR") or "bench/server") .. "/?.lua;" .. package.path
local c = require("common")

local work = os.getenv("BENCH_WORK") or "/tmp"
local requests = {}
for _, name in ipairs({ "review-good.json", "review-bad.json" }) do
  requests[#requests + 1] = wrk.format("POST", "/v1/review", {
    ["Authorization"] = "Bearer " .. c.token,
    ["Content-Type"] = "application/json",
  }, c.slurp(work .. "/" .. name))
end

local i = 0
function request()
  i = i % #requests + 1
  return requests[i]
end
