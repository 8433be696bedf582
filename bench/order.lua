-- wrk script: every request orders one unit of the hot SKU through POST /v1/orders.
-- BUYERS_PER_THREAD (env) stops each wrk thread after that many answers, so a run places a
-- fixed number of orders; done() prints the answers by status. wrk's main thread sleeps for
-- the whole -d duration whatever its threads do, so the last thread to finish (counted in the
-- file DONE_FILE) interrupts it with SIGINT, which makes wrk report at once.
local key = os.getenv("KEY")
local limit = tonumber(os.getenv("BUYERS_PER_THREAD") or "0")
local done_file = os.getenv("DONE_FILE")
local wrk_threads = tonumber(os.getenv("WRK_THREADS") or "2")
-- One request for every buyer, built once: a request() function would cost wrk a Lua call and
-- a fresh request string per order, and wrk shares the server's two cores.
wrk.method = "POST"
wrk.path = "/v1/orders"
wrk.body = '{"currency":"EUR","lines":[{"sku":"HOT-1","quantity":1}],' ..
    '"shipping_address":{"country":"DE"}}'
wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["Content-Type"] = "application/json"
local threads = {}
answers, statuses = 0, {} -- globals: done() reads them through thread:get

setup = function(thread)
    table.insert(threads, thread)
end

response = function(status)
    answers = answers + 1
    statuses[status] = (statuses[status] or 0) + 1
    if limit > 0 and answers == limit then
        local f = io.open(done_file, "a")
        f:write("done\n")
        f:close()
        local finished = 0
        for _ in io.lines(done_file) do
            finished = finished + 1
        end
        if finished == wrk_threads then
            -- Later and in the background: system() ignores SIGINT in wrk while it waits.
            os.execute("(sleep 0.05; kill -INT $PPID) &") -- the shell's parent is wrk
        end
        wrk.thread:stop()
    end
end

done = function()
    local total = {}
    for _, thread in ipairs(threads) do
        for _, code in ipairs({201, 409, 429, 503}) do
            total[code] = (total[code] or 0) + (thread:get("statuses")[code] or 0)
        end
    end
    io.write(string.format("statuses: 201=%d 409=%d 429=%d 503=%d\n",
        total[201], total[409], total[429], total[503]))
end
