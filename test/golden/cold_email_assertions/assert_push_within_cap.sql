with

budget as (

    select * from `cold-email-local.cold_email.push_budget`

),

queue as (

    select count(*) as queued
    from `cold-email-local.cold_email.push_queue`

)

select
    budget.cap,
    budget.active_inventory,
    budget.draining,
    budget.slots,
    budget.candidates,
    queue.queued

from budget
cross join queue
where
    budget.slots < 0
    or (budget.slots > 0 and budget.active_inventory - budget.draining + budget.slots > budget.cap)
    or budget.slots > 100
    or queue.queued > budget.candidates
