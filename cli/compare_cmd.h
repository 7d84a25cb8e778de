/* `mediaqc diff OLD.json NEW.json` and `mediaqc conform PROXY ORIGINAL`. */
#ifndef MQC_CLI_COMPARE_CMD_H
#define MQC_CLI_COMPARE_CMD_H

int mqc_cmd_diff(int argc, char **argv);
int mqc_cmd_conform(int argc, char **argv);

#endif
