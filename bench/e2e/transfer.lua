-- wrk: single 1-posting transfers of 1 USD between two random funded accounts
-- (E2E_ACCOUNTS), POSTed to E2E_PATH (bench/e2e/routes.mjs).
dofile(os.getenv("E2E_LUA_DIR") .. "/common.lua")
local accounts = tonumber(os.getenv("E2E_ACCOUNTS"))
local path = os.getenv("E2E_PATH")
local headers = {["Content-Type"] = "application/json"}
if os.getenv("E2E_TOKEN") then headers["Authorization"] = "Bearer " .. os.getenv("E2E_TOKEN") end

function init(args)
  statuses = {}
  seed_random()
end

function transfer_json()
  local source = math.random(0, accounts - 1)
  local target = math.random(0, accounts - 2)
  if target >= source then target = target + 1 end
  return string.format(
    '{"postings":[{"source":"users:%d","destination":"users:%d","amount":1,"asset":"USD"}]}',
    source, target)
end

function request()
  return wrk.format("POST", path, headers, transfer_json())
end

function response(status, headers, body)
  count_status(status)
end
