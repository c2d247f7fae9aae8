-- wrk: bulks of E2E_BULK transfers (each as transfer.lua's), POSTed to E2E_PATH (atomic or
-- not: the path's query, bench/e2e/routes.mjs).
dofile(os.getenv("E2E_LUA_DIR") .. "/common.lua")
local accounts = tonumber(os.getenv("E2E_ACCOUNTS"))
local size = tonumber(os.getenv("E2E_BULK"))
local path = os.getenv("E2E_PATH")
local headers = {["Content-Type"] = "application/json"}
if os.getenv("E2E_TOKEN") then headers["Authorization"] = "Bearer " .. os.getenv("E2E_TOKEN") end

function init(args)
  statuses = {}
  seed_random()
end

function request()
  local elements = {}
  for i = 1, size do
    local source = math.random(0, accounts - 1)
    local target = math.random(0, accounts - 2)
    if target >= source then target = target + 1 end
    elements[i] = string.format(
      '{"action":"CREATE_TRANSACTION","data":{"postings":[{"source":"users:%d",' ..
      '"destination":"users:%d","amount":1,"asset":"USD"}]}}', source, target)
  end
  return wrk.format("POST", path, headers, "[" .. table.concat(elements, ",") .. "]")
end

function response(status, headers, body)
  count_status(status)
end
