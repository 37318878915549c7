-- POST /v1/scan, rotating eight 200-character Chinese texts (texts.tsv:
-- scene<TAB>text): chat, comments, a forum post, social posts; five pass, a
-- side-hustle ad with contact ids and a post with a link go to review, a
-- gambling pitch is blocked.
package.path = (os.getenv("BENCH_DIR") or "bench/server") .. "/?.lua;" .. package.path
local c = require("common")

local requests = {}
for _, l in ipairs(c.lines("texts.tsv")) do
  local scene, text = l:match("^([^\t]+)\t(.*)$")
  -- The texts hold no quote, backslash or control character.
  local body = '{"text":"' .. text .. '","scene":"' .. scene .. '"}'
  requests[#requests + 1] = wrk.format("POST", "/v1/scan", {
    ["Authorization"] = "Bearer " .. c.token,
    ["Content-Type"] = "application/json",
  }, body)
end

local i = 0
function request()
  i = i % #requests + 1
  return requests[i]
end
