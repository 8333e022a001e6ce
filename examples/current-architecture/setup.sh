#!/bin/bash
# The week-1 plan's starting point, created with the aws CLI: router, downloader and thumbnail invoking each
# other directly under one shared role (lambda-execution-role, inline SQSAccessPolicy), their log groups; then
# the plan's own Step 2 script (create-sqs-queues.sh) and its Step 6 mapping (video-processing-queue → downloader).
#
#   make emulator                                  # prints: emulator: http://127.0.0.1:PORT
#   AWS_ENDPOINT_URL=http://127.0.0.1:PORT examples/current-architecture/setup.sh
#
# Without AWS_ENDPOINT_URL it refuses to run: it is meant for the local emulator, not an account.
set -euo pipefail

if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
    echo "setup.sh: set AWS_ENDPOINT_URL to the emulator's endpoint (make emulator prints it)" >&2
    exit 2
fi
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" AWS_PAGER=""
# aws CLI v1 sends SQS calls to queue.amazonaws.com whatever AWS_ENDPOINT_URL says: every call names the endpoint,
# in this script and in the plan's (a bash function exported to it)
aws() { command aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }
export -f aws
here="$(cd "$(dirname "$0")" && pwd)"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT

echo "Creating the shared role lambda-execution-role..."
aws iam create-role --role-name lambda-execution-role --output text --query Role.Arn \
    --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
aws iam put-role-policy --role-name lambda-execution-role --policy-name SQSAccessPolicy \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*","lambda:InvokeFunction","logs:*"],"Resource":"*"}]}'
ROLE_ARN=$(aws iam get-role --role-name lambda-execution-role --query Role.Arn --output text)

for fn in router downloader thumbnail; do
    echo "Creating $fn and /aws/lambda/$fn..."
    aws logs create-log-group --log-group-name "/aws/lambda/$fn"
    (cd "$here/functions/$fn" && python3 -m zipfile -c "$build/$fn.zip" lambda_function.py)
    aws lambda create-function --function-name "$fn" --runtime python3.12 --handler lambda_function.lambda_handler \
        --role "$ROLE_ARN" --zip-file "fileb://$build/$fn.zip" --timeout 30 --memory-size 128 \
        --output text --query FunctionArn
done

# The plan's Step 2, as written (its region: us-east-1)
"$here/create-sqs-queues.sh"

# The plan's Step 6 (AWS CLI method): downloader consumes video-processing-queue
QUEUE_ARN=$(aws sqs get-queue-attributes \
    --queue-url "$(aws sqs get-queue-url --queue-name video-processing-queue --query 'QueueUrl' --output text)" \
    --attribute-names QueueArn --query 'Attributes.QueueArn' --output text)
aws lambda create-event-source-mapping --function-name downloader --event-source-arn "$QUEUE_ARN" \
    --batch-size 1 --enabled --output text --query UUID
echo "The current architecture is in place at $AWS_ENDPOINT_URL."
